import { parentPort } from 'node:worker_threads';
import { portChannels, runTask } from './stage-host.ts';
import type { FromWorker, ToWorker } from './worker-protocol.ts';

const port = parentPort;
if (!port) throw new Error('worker-main.ts runs only as a worker thread');
const post = (message: FromWorker) => port.postMessage(message);
const controller = new AbortController();

port.on('message', (message: ToWorker) => {
  if (message.type === 'abort') {
    controller.abort(Object.assign(new Error(message.reason), { code: 'INTERRUPTED' }));
    return;
  }
  runTask(message, portChannels(post), controller.signal).then(
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
