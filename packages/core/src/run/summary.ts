import { exitCodeOf, type SerxError } from '../errors.ts';
import type { StageRecord } from './record.ts';

/** What `runGraph` resolves to (it never rejects for a stage failure). */
export interface RunSummary {
  runId: string;
  status: 'succeeded' | 'failed' | 'interrupted';
  /** Path of the run record. */
  /** The run record; empty when the cache is read-only (no record written). */
  recordPath: string;
  durationMs: number;
  /** Per node id, in topological order. */
  stages: { [id: string]: StageRecord };
  counts: { cached: number; succeeded: number; failed: number; skipped: number; interrupted: number };
  /** STAGE_FAILED / CACHE_CORRUPT errors of failed nodes. */
  errors: SerxError[];
}

/**
 * The exit status of a command that ran a graph: 0 succeeded; else that of the first failure's
 * code (a stage failure is 1), or of INTERRUPTED (130).
 */
export function summaryExitCode(summary: Pick<RunSummary, 'status' | 'errors'>): number {
  if (summary.status === 'succeeded') return 0;
  if (summary.status === 'interrupted') return exitCodeOf('INTERRUPTED');
  return exitCodeOf(summary.errors[0]?.code ?? 'STAGE_FAILED');
}
