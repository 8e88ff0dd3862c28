/**
 * The one protocol between a runner and a stage host (`stage-host.ts`), whatever carries it: a
 * child process's IPC channel (ProcessExecutor) or a worker thread's port (WorkerThreadExecutor).
 */
import type { StageResult } from '../contract.ts';
import type { SerializedError } from '../errors.ts';
import type { ContextChannels, ContextData } from './context.ts';

/** Runner → host. */
export type ToHost =
  | {
      type: 'run';
      plugin: string;
      fromDir: string;
      stage: string;
      data: ContextData;
      /** The run's other plugins, loaded and set up first in this order (their registrations). */
      setup?: { specifier: string; fromDir: string }[];
      /** The execution's scratch directory: TMPDIR while the stage runs. */
      tmpDir?: string;
    }
  | { type: 'abort'; reason: string };

/** Host → runner. */
export type FromHost =
  | { type: 'log'; level: 'debug' | 'info' | 'warn'; message: string }
  | { type: 'total'; units: number; label?: string }
  | { type: 'tick'; units?: number }
  | { type: 'metric'; name: string; value: number; step?: number }
  | { type: 'tag'; name: string; value: string }
  | { type: 'artifact'; path: string }
  | { type: 'done'; result: StageResult | undefined; reusable?: boolean }
  | {
      type: 'error';
      /** The stage's error as data; `deserializeError` rebuilds it (a SerxError keeps its code). */
      error: SerializedError;
      /** The host is clean (nothing of the stage left running) and waits for another task. */
      reusable?: boolean;
    };

/** Hands a progress/log/metric message of a stage host to the runner's channels; false for others. */
export function relay(message: FromHost, channels: ContextChannels): boolean {
  switch (message.type) {
    case 'log':
      channels.log[message.level](message.message);
      return true;
    case 'total':
      channels.progress.total(message.units, message.label);
      return true;
    case 'tick':
      channels.progress.tick(message.units);
      return true;
    case 'metric':
      channels.metrics.metric(message.name, message.value, message.step);
      return true;
    case 'tag':
      channels.metrics.tag(message.name, message.value);
      return true;
    case 'artifact':
      channels.metrics.artifact(message.path);
      return true;
    default:
      return false;
  }
}
