import pLimit from 'p-limit';
import type { GraphNode } from '../graph/types.ts';

/**
 * Concurrency for computing stages: at most `jobs` at once, and `cpu-heavy` stages one at a time
 * (each gets the whole thread budget, so two would oversubscribe the cores). A heavy stage waits
 * for the heavy gate *before* taking a job slot, so it never blocks light stages while queued.
 */
export function createSlots(jobs: number): <T>(node: GraphNode, fn: () => Promise<T>) => Promise<T> {
  const limit = pLimit(Math.max(1, jobs));
  const heavy = pLimit(1);
  return (node, fn) =>
    node.definition.resources?.class === 'cpu-heavy' ? heavy(() => limit(fn)) : limit(fn);
}
