import type { SerxError } from '../errors.ts';
import type { GraphNode } from '../graph/types.ts';
import type { NodeEnv, NodeOutcome } from './node-outcome.ts';
import type { StageRecord } from './record.ts';

/**
 * How a computation that threw ends, wherever it ran (here or in a cluster job): `interrupted`
 * when the run was aborted, else `failed` with `wrap(error)`. Tracker, event and record agree.
 * `recordCause` keeps the cause's stack in the record (for a stage that ran in this process).
 */
export function failedOutcome(
  node: GraphNode,
  env: NodeEnv,
  record: StageRecord,
  key: string,
  started: number,
  error: unknown,
  wrap: (error: unknown) => SerxError,
  recordCause: boolean,
): NodeOutcome {
  const startedAt = new Date(started).toISOString();
  const durationMs = Date.now() - started;
  if (env.signal.aborted) {
    const reason = String((env.signal.reason as Error)?.message ?? env.signal.reason);
    env.tracker.stageFinished(node.id, 'interrupted', { error: reason, durationMs });
    env.emit({ type: 'state', id: node.id, state: 'interrupted', key, detail: reason, durationMs });
    return { record: { ...record, status: 'interrupted', startedAt, durationMs, skipped: reason } };
  }
  const wrapped = wrap(error);
  const cause =
    recordCause && wrapped.cause instanceof Error
      ? (wrapped.cause.stack ?? wrapped.cause.message)
      : undefined;
  env.tracker.stageFinished(node.id, 'failed', { error: wrapped.message, durationMs });
  env.emit({ type: 'state', id: node.id, state: 'failed', key, detail: wrapped.message, durationMs });
  return {
    record: {
      ...record,
      status: 'failed',
      startedAt,
      durationMs,
      error: { code: wrapped.code, message: wrapped.message, ...(cause ? { cause } : {}) },
    },
    error: wrapped,
  };
}
