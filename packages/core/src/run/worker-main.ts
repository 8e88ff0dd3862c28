import { parentPort } from 'node:worker_threads';
import type { StageResult } from '../contract.ts';
import { loadPlugin } from '../plugins/load-plugins.ts';
import { buildContext, type ContextChannels } from './context.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';

const port = parentPort;
if (!port) throw new Error('worker-main.ts runs only as a worker thread');
const post = (message: FromWorker) => port.postMessage(message);
const controller = new AbortController();

const channels: ContextChannels = {
  log: {
    debug: (message) => post({ type: 'log', level: 'debug', message }),
    info: (message) => post({ type: 'log', level: 'info', message }),
    warn: (message) => post({ type: 'log', level: 'warn', message }),
  },
  progress: {
    total: (units, label) => post({ type: 'total', units, ...(label === undefined ? {} : { label }) }),
    tick: (units) => post({ type: 'tick', ...(units === undefined ? {} : { units }) }),
  },
  metrics: {
    metric: (name, value, step) =>
      post({ type: 'metric', name, value, ...(step === undefined ? {} : { step }) }),
    tag: (name, value) => post({ type: 'tag', name, value }),
    artifact: (path) => post({ type: 'artifact', path }),
  },
};

async function run(task: Extract<ToWorker, { type: 'run' }>): Promise<StageResult | undefined> {
  const plugin = await loadPlugin(task.plugin, task.fromDir);
  const definition = plugin.stages.find((s) => s.name === task.stage);
  if (!definition) throw new Error(`plugin ${task.plugin} has no stage ${task.stage} in this worker`);
  return (await definition.run(buildContext(task.data, channels, controller.signal))) ?? undefined;
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'abort') {
    controller.abort(Object.assign(new Error(message.reason), { code: 'INTERRUPTED' }));
    return;
  }
  run(message).then(
    (result) => post({ type: 'done', result }),
    (error: Error & { code?: string }) =>
      post({
        type: 'error',
        error: {
          name: error?.name ?? 'Error',
          message: error?.message ?? String(error),
          stack: error?.stack,
          code: error?.code,
        },
      }),
  );
});
