import { availableParallelism } from 'node:os';

/**
 * The thread budget of a cpu-heavy stage: `requested` (`--threads`), else SERX_THREADS, else all
 * cores. Stages read theirs from `ctx.threads`; a native library sizes its pools from it.
 */
export function threadBudget(requested?: number): number {
  const fromEnv = Number(process.env.SERX_THREADS);
  const value = requested ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : availableParallelism());
  return Math.max(1, Math.floor(value));
}
