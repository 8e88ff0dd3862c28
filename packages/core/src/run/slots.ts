import pLimit from 'p-limit';
import type { GraphNode } from '../graph/types.ts';

/**
 * Concurrency for computing stages: at most `jobs` at once, and at most `heavyAtOnce` `cpu-heavy`
 * stages (each gets the whole thread budget, so more would oversubscribe the cores: with the default
 * budget, all cores, that is one; with `--threads 1` on 2 cores, two). A heavy stage waits for the
 * heavy gate *before* taking a job slot, so it never blocks light stages while queued.
 */
export function createSlots(
  jobs: number,
  heavyAtOnce = 1,
): <T>(node: GraphNode, fn: () => Promise<T>) => Promise<T> {
  const limit = pLimit(Math.max(1, jobs));
  const heavy = pLimit(Math.max(1, heavyAtOnce));
  return (node, fn) =>
    node.definition.resources?.class === 'cpu-heavy' ? heavy(() => limit(fn)) : limit(fn);
}

/** How many cpu-heavy stages fit the cores at once when each uses `threads` threads. */
export function heavyStagesAtOnce(cores: number, threads: number): number {
  return Math.max(1, Math.floor(cores / Math.max(1, threads)));
}
