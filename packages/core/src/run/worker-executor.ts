import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { StageResult } from '../contract.ts';
import { SerxError } from '../errors.ts';
import { loadedPluginOrigins, resolvePluginEntry } from '../plugins/load-plugins.ts';
import { type Executor, InProcessExecutor, type StageTask } from './executor.ts';
import { type FromWorker, relay, type ToWorker } from './worker-protocol.ts';

export interface WorkerExecutorOptions {
  /**
   * Module to import a plugin from inside the worker, by plugin name. Default: the plugin name
   * as a package, resolved from the spec file's directory; a plugin that does not resolve that
   * way (loaded by path) runs in process.
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
export class WorkerThreadExecutor implements Executor {
  readonly name = 'worker-threads';
  private readonly inProcess = new InProcessExecutor();
  private readonly options: WorkerExecutorOptions;

  constructor(options: WorkerExecutorOptions = {}) {
    this.options = options;
  }

  execute(task: StageTask): Promise<StageResult | undefined> {
    const { node, channels, signal } = task;
    const fromDir = dirname(node.loc.file);
    const plugin = this.options.modules?.[node.plugin.name] ?? resolvePluginEntry(node.plugin.name, fromDir);
    if (node.definition.resources?.native || plugin === undefined) {
      if (plugin === undefined)
        channels.log.debug(`plugin ${node.plugin.name} is not an installed package: running in process`);
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
        } satisfies ToWorker);
        setTimeout(() => finish(() => reject(signal.reason)), this.options.graceMs ?? 5000).unref();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      worker.on('message', (message: FromWorker) => {
        if (relay(message, channels)) return;
        if (message.type === 'done') return finish(() => resolve(message.result));
        if (message.type === 'error') {
          const error = Object.assign(new Error(message.error.message), message.error);
          return finish(() => reject(error));
        }
      });
      worker.on('error', (error) => finish(() => reject(error)));
      worker.on('exit', (code) =>
        finish(() =>
          reject(
            new SerxError(
              'STAGE_FAILED',
              `worker thread of '${node.id}' exited with code ${code} before the stage finished`,
            ),
          ),
        ),
      );
      worker.postMessage({
        type: 'run',
        plugin,
        fromDir,
        stage: node.definition.name,
        data: task.data,
        setup: loadedPluginOrigins(),
      } satisfies ToWorker);
    });
  }
}
