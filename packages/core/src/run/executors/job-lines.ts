/**
 * How a stage running as a cluster job reports back: `@serx {json}` lines in the job's log
 * (stdout), read by the submitting process as the log grows. Plain lines around them (errors,
 * stack traces) stay readable for a human and form the log tail of a failure.
 */

import { type SerializedError, serializeError } from '../../errors.ts';
import type { Tracker } from '../../tracking/types.ts';
import type { ContextChannels } from '../context.ts';
import type { RunEvent } from '../events.ts';

export const LINE_PREFIX = '@serx ';

export type JobLine =
  | { t: 'log'; level: 'debug' | 'info' | 'warn'; message: string }
  | { t: 'progress'; done: number; total: number; label?: string }
  | { t: 'metric'; name: string; value: number; step?: number }
  | { t: 'tag'; name: string; value: string }
  | { t: 'artifact'; path: string }
  | { t: 'state'; state: string; key?: string; detail?: string }
  /** The node's failure (its STAGE_FAILED, the stage's own error as the cause), rebuilt by the submitter. */
  | { t: 'error'; error: SerializedError };

/** Job side: the node's events and tracking calls as lines on `out`; other nodes' events are dropped. */
export function jobLineWriter(
  out: NodeJS.WritableStream,
  nodeId: string,
): { onEvent(event: RunEvent): void; tracker: Tracker; error(error: Error): void } {
  const write = (line: JobLine) => out.write(`${LINE_PREFIX}${JSON.stringify(line)}\n`);
  let lastProgress = 0;
  return {
    error: (error) => write({ t: 'error', error: serializeError(error) }),
    onEvent(event) {
      if (!('id' in event) || event.id !== nodeId) return;
      if (event.type === 'log') write({ t: 'log', level: event.level, message: event.message });
      else if (event.type === 'state')
        write({
          t: 'state',
          state: event.state,
          ...(event.key ? { key: event.key } : {}),
          ...(event.detail ? { detail: event.detail } : {}),
        });
      else if (event.type === 'progress') {
        // at most one line a second: the log is polled, not streamed
        const now = Date.now();
        if (event.done < event.total && now - lastProgress < 1000) return;
        lastProgress = now;
        write({
          t: 'progress',
          done: event.done,
          total: event.total,
          ...(event.label ? { label: event.label } : {}),
        });
      }
    },
    tracker: {
      runStarted() {},
      stageStarted() {},
      metric(id, name, value, step) {
        if (id === nodeId) write({ t: 'metric', name, value, ...(step === undefined ? {} : { step }) });
      },
      tag(id, name, value) {
        if (id === nodeId) write({ t: 'tag', name, value });
      },
      artifact(id, path) {
        if (id === nodeId) write({ t: 'artifact', path });
      },
      stageFinished() {},
      runFinished() {},
      close: async () => {},
    },
  };
}

export function parseJobLine(line: string): JobLine | undefined {
  if (!line.startsWith(LINE_PREFIX)) return undefined;
  try {
    return JSON.parse(line.slice(LINE_PREFIX.length)) as JobLine;
  } catch {
    return undefined; // a line cut by a crash: the log tail shows it
  }
}

/** Submitter side: replays a job's lines into the node's context channels. */
export function jobLineRelay(channels: ContextChannels): {
  relay(line: JobLine): void;
  /** The node's last state line (`succeeded`, `cached`, `failed` + detail...), and its error line. */
  readonly last: { state?: string; detail?: string; error?: SerializedError };
} {
  const last: { state?: string; detail?: string; error?: SerializedError } = {};
  let total = -1;
  let label: string | undefined;
  let done = 0;
  return {
    last,
    relay(line) {
      switch (line.t) {
        case 'log':
          return channels.log[line.level](line.message);
        case 'progress':
          if (line.total !== total || line.label !== label) {
            total = line.total;
            label = line.label;
            done = 0;
            channels.progress.total(total, label);
          }
          if (line.done > done) channels.progress.tick(line.done - done);
          done = line.done;
          return;
        case 'metric':
          return channels.metrics.metric(line.name, line.value, line.step);
        case 'tag':
          return channels.metrics.tag(line.name, line.value);
        case 'artifact':
          return channels.metrics.artifact(line.path);
        case 'state':
          last.state = line.state;
          last.detail = line.detail;
          return;
        case 'error':
          last.error = line.error;
          return;
      }
    },
  };
}
