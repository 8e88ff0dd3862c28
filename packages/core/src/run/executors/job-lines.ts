/**
 * How the stages running in a cluster job report back: `@serx {json}` lines in the job's log
 * (stdout), read by the submitting process as the log grows. Each line names its node (`id`): a
 * job may compute several (a job group). Plain lines around them (errors, stack traces) stay
 * readable for a human and form the log tail of a failure.
 */

import { type SerializedError, serializeError } from '../../errors.ts';
import type { Tracker } from '../../tracking/types.ts';
import type { ContextChannels } from '../context.ts';
import type { RunEvent } from '../events.ts';

export const LINE_PREFIX = '@serx ';

export type JobLine = JobLineBody & {
  /** The node; absent in lines of a job of one node written before jobs could hold several. */
  id?: string;
};

type JobLineBody =
  | { t: 'log'; level: 'debug' | 'info' | 'warn'; message: string }
  | { t: 'progress'; done: number; total: number; label?: string }
  | { t: 'metric'; name: string; value: number; step?: number }
  | { t: 'tag'; name: string; value: string }
  | { t: 'artifact'; path: string }
  | { t: 'state'; state: string; key?: string; detail?: string }
  /** The node's failure (its STAGE_FAILED, the stage's own error as the cause), rebuilt by the submitter. */
  | { t: 'error'; error: SerializedError }
  /**
   * The node is settled in the job, and its entry is where the submitter reads it (published, and
   * pushed when jobs use the remote cache): the submitter need not wait for the job to end.
   */
  | { t: 'done'; state: string; key?: string; host?: string };

/**
 * Job side: the events and tracking calls of the job's nodes as lines on `out`; other nodes'
 * events are dropped.
 */
export function jobLineWriter(
  out: NodeJS.WritableStream,
  nodeIds: readonly string[],
): {
  onEvent(event: RunEvent): void;
  tracker: Tracker;
  error(id: string, error: Error): void;
  done(id: string, state: string, key: string | undefined, host: string): void;
} {
  const mine = new Set(nodeIds);
  const write = (id: string, line: JobLineBody) =>
    out.write(`${LINE_PREFIX}${JSON.stringify({ id, ...line })}\n`);
  const lastProgress = new Map<string, number>();
  return {
    error: (id, error) => write(id, { t: 'error', error: serializeError(error) }),
    done: (id, state, key, host) => write(id, { t: 'done', state, ...(key ? { key } : {}), host }),
    onEvent(event) {
      if (!('id' in event) || event.id === undefined || !mine.has(event.id)) return;
      const id = event.id;
      if (event.type === 'log') write(id, { t: 'log', level: event.level, message: event.message });
      else if (event.type === 'state')
        write(id, {
          t: 'state',
          state: event.state,
          ...(event.key ? { key: event.key } : {}),
          ...(event.detail ? { detail: event.detail } : {}),
        });
      else if (event.type === 'progress') {
        // at most one line a second: the log is polled, not streamed
        const now = Date.now();
        if (event.done < event.total && now - (lastProgress.get(id) ?? 0) < 1000) return;
        lastProgress.set(id, now);
        write(id, {
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
        if (mine.has(id)) write(id, { t: 'metric', name, value, ...(step === undefined ? {} : { step }) });
      },
      tag(id, name, value) {
        if (mine.has(id)) write(id, { t: 'tag', name, value });
      },
      artifact(id, path) {
        if (mine.has(id)) write(id, { t: 'artifact', path });
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

export interface RelayedState {
  state?: string;
  detail?: string;
  error?: SerializedError;
  done?: { state: string; key?: string; host?: string };
}

/** Submitter side: replays a job's lines about one node into the node's context channels. */
export function jobLineRelay(channels: ContextChannels): {
  relay(line: JobLine): void;
  /** The node's last state line (`succeeded`, `cached`, `failed` + detail...), its error and done lines. */
  readonly last: RelayedState;
} {
  const last: RelayedState = {};
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
        case 'done':
          last.done = {
            state: line.state,
            ...(line.key ? { key: line.key } : {}),
            ...(line.host ? { host: line.host } : {}),
          };
          return;
      }
    },
  };
}
