import { Worker } from 'node:worker_threads';
import type { StageResult } from '../contract.ts';
import { deserializeError } from '../errors.ts';
import { loadedPluginOrigins, pluginOrigin } from '../plugins/load-plugins.ts';
import { InProcessExecutor, type StageExecutor, type StageTask } from './executor.ts';
import { stageCrashed } from './stage-errors.ts';
import { type FromHost, relay, type ToHost } from './stage-host-protocol.ts';

export interface WorkerExecutorOptions {
  /**
   * Module to import a plugin from inside the worker, by plugin name. Default: where the runner
   * loaded it (as for ProcessExecutor); a plugin passed as an object (no module) runs in process.
   */
  modules?: { [pluginName: string]: string };
  /** After an abort, how long a stage may take to stop before its worker is terminated. */
  graceMs?: number;
}

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

/**
 * Runs each stage in a fresh worker thread, so CPU-bound stages do not stall the runner's event
 * loop (progress display, lock polling, other light stages). Stages declaring
 * `resources.native` run in process: native addons cannot be loaded into workers.
 */
export class WorkerThreadExecutor implements StageExecutor {
  readonly name = 'worker-threads';
  private readonly inProcess = new InProcessExecutor();
  private readonly options: WorkerExecutorOptions;

  constructor(options: WorkerExecutorOptions = {}) {
    this.options = options;
  }

  execute(task: StageTask): Promise<StageResult | undefined> {
    const { node, channels, signal } = task;
    const module = this.options.modules?.[node.plugin.name];
    const origin = module ? { specifier: module, fromDir: process.cwd() } : pluginOrigin(node.plugin.name);
    if (node.definition.resources?.native || origin === undefined) {
      if (origin === undefined)
        channels.log.debug(`plugin ${node.plugin.name} was not loaded from a module: running in process`);
      return this.inProcess.execute(task);
    }
    return new Promise((resolve, reject) => {
      const worker = new Worker(ENTRY);
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        void worker.terminate();
        fn();
      };
      const onAbort = () => {
        worker.postMessage({
          type: 'abort',
          reason: String((signal.reason as Error)?.message ?? signal.reason),
        } satisfies ToHost);
        setTimeout(() => finish(() => reject(signal.reason)), this.options.graceMs ?? 5000).unref();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      worker.on('message', (message: FromHost) => {
        if (relay(message, channels)) return;
        if (message.type === 'done') return finish(() => resolve(message.result));
        if (message.type === 'error') return finish(() => reject(deserializeError(message.error)));
      });
      worker.on('error', (error) => finish(() => reject(error)));
      worker.on('exit', (code) =>
        finish(() =>
          reject(
            stageCrashed(
              `the stage's worker thread exited with code ${code} before run() settled (process.exit() called inside the stage?)`,
            ),
          ),
        ),
      );
      worker.postMessage({
        type: 'run',
        plugin: origin.specifier,
        fromDir: origin.fromDir,
        stage: node.definition.name,
        data: task.data,
        setup: loadedPluginOrigins(),
        ...(task.scratchDir ? { tmpDir: task.scratchDir } : {}),
      } satisfies ToHost);
    });
  }
}
