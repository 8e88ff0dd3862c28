import type { StageResult } from '../contract.ts';
import { SerxError, serializeError } from '../errors.ts';
import { loadPlugin } from '../plugins/load-plugins.ts';
import type { ContextChannels } from './context.ts';
import { runStageUnit } from './shards/unit.ts';
import { interrupted, stageHung } from './stage-errors.ts';
import type { FromHost, ToHost } from './stage-host-protocol.ts';

/**
 * How a stage host talks to its runner: a child process's IPC channel (`process-main.ts`) or a
 * worker thread's port (`worker-main.ts`). (A cluster job runs a whole node with `serx exec-node`
 * instead, and reports through its log: `executors/job-lines.ts`.)
 */
export interface HostPort {
  post(message: FromHost): void;
  onMessage(listener: (message: ToHost) => void): void;
  /**
   * Whether the channel keeps the host alive. Released while the stage runs, so that a run() whose
   * promise can never settle lets the event loop empty and is reported instead of hanging.
   */
  holdOpen(on: boolean): void;
  /** Delivers the last message, then ends the host (whatever the stage left running). */
  end(last: FromHost, code: number): void;
  /**
   * After a stage settled: may this host run another one? Only when the stage left nothing
   * running (timers, sockets, pending I/O) that could act during the next stage. Default: no.
   */
  reusable?(): boolean;
  /** Points the host's temp dir at a task's scratch directory. */
  useTmpDir?(dir: string): void;
}

export function portChannels(post: (message: FromHost) => void): ContextChannels {
  return {
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
}

function errorMessage(error: unknown): Extract<FromHost, { type: 'error' }> {
  return { type: 'error', error: serializeError(error) };
}

/** Loads the stage's plugin and runs it with a context whose channels post to `port`. */
export async function runTask(
  task: Extract<ToHost, { type: 'run' }>,
  channels: ContextChannels,
  signal: AbortSignal,
): Promise<StageResult | undefined> {
  for (const other of task.setup ?? []) await loadPlugin(other.specifier, other.fromDir);
  const plugin = await loadPlugin(task.plugin, task.fromDir);
  const definition = plugin.stages.find((s) => s.name === task.stage);
  if (!definition) throw new SerxError('INTERNAL', `plugin ${task.plugin} has no stage ${task.stage}`);
  return runStageUnit(definition, task.data, channels, signal);
}

/**
 * Runs stages in this process, one at a time, and turns every way a stage can end into one
 * message: `done`, or `error` for a throw, an exception or rejection escaping from the stage's
 * timers and callbacks, or a run() whose promise never settles. After an escape the host ends;
 * after a clean finish it may take the next task (see `HostPort.reusable`). Owns the process:
 * call it only in a process (or cluster job) dedicated to running stages.
 */
export function hostStage(port: HostPort): void {
  let controller = new AbortController();
  let running = false;
  let ended = false;
  const end = (message: FromHost, code: number) => {
    if (ended) return;
    ended = true;
    port.holdOpen(true);
    try {
      port.end(message, code);
    } catch (error) {
      // e.g. a result that cannot be cloned (functions, symbols): a broken contract, not a crash
      port.end(
        errorMessage(
          new Error(`run() returned a value that cannot be sent back: ${(error as Error).message}`),
        ),
        1,
      );
    }
  };
  const settle = (message: Extract<FromHost, { type: 'done' | 'error' }>) => {
    if (ended) return;
    running = false;
    port.holdOpen(true);
    // one turn of the event loop lets the stage's last file handles finish closing
    setImmediate(() => {
      if (ended) return;
      if (!port.reusable?.()) return end(message, message.type === 'done' ? 0 : 1);
      try {
        port.post({ ...message, reusable: true });
      } catch {
        end(message, message.type === 'done' ? 0 : 1); // reports the clone error
      }
    });
  };
  const escaped = (how: string) => (error: unknown) => {
    const message = errorMessage(error);
    message.error.message = `${how}: ${message.error.message}`;
    end(message, 1);
  };
  process.on('uncaughtException', escaped('uncaught exception outside run() (e.g. in a timer callback)'));
  process.on('unhandledRejection', escaped('unhandled promise rejection outside run()'));
  process.on('beforeExit', () => {
    if (running) end(errorMessage(stageHung('run() ')), 1);
  });
  port.onMessage((message) => {
    if (message.type === 'abort') {
      controller.abort(interrupted(message.reason));
      return;
    }
    controller = new AbortController();
    running = true;
    if (message.tmpDir) port.useTmpDir?.(message.tmpDir);
    port.holdOpen(false);
    runTask(message, portChannels(port.post), controller.signal).then(
      (result) => settle({ type: 'done', result }),
      (error: unknown) => settle(errorMessage(error)),
    );
  });
}
