import pLimit from 'p-limit';
import type { GraphNode } from '../graph/types.ts';

/**
 * Concurrency for computing stages: at most `jobs` at once, and at most `heavyAtOnce` `cpu-heavy`
 * stages (each gets the whole thread budget, so more would oversubscribe the cores: with the default
 * budget, all cores, that is one; with `--threads 1` on 2 cores, two). A heavy stage waits for the
 * heavy gate *before* taking a job slot, so it never blocks light stages while queued. Among heavy
 * stages waiting, a free slot goes to the highest `priority` (ties: the first to ask).
 */
export function createSlots(
  jobs: number,
  heavyAtOnce = 1,
  priority: (node: GraphNode) => number = () => 0,
): <T>(node: GraphNode, fn: () => Promise<T>) => Promise<T> {
  const limit = pLimit(Math.max(1, jobs));
  const heavy = priorityGate(Math.max(1, heavyAtOnce));
  return (node, fn) =>
    node.definition.resources?.class === 'cpu-heavy' ? heavy(priority(node), () => limit(fn)) : limit(fn);
}

/** At most `size` tasks at once; a freed place goes to the waiting task of highest priority. */
function priorityGate(size: number): <T>(priority: number, fn: () => Promise<T>) => Promise<T> {
  let inside = 0;
  let asked = 0;
  const waiting: { priority: number; order: number; enter: () => void }[] = [];
  const next = () => {
    if (inside >= size || waiting.length === 0) return;
    let best = 0;
    for (let i = 1; i < waiting.length; i++) {
      const w = waiting[i]!;
      const b = waiting[best]!;
      if (w.priority > b.priority || (w.priority === b.priority && w.order < b.order)) best = i;
    }
    inside++;
    waiting.splice(best, 1)[0]!.enter();
  };
  return async (priority, fn) => {
    await new Promise<void>((enter) => {
      waiting.push({ priority, order: asked++, enter });
      next();
    });
    try {
      return await fn();
    } finally {
      inside--;
      next();
    }
  };
}

/** How many cpu-heavy stages fit the cores at once when each uses `threads` threads. */
export function heavyStagesAtOnce(cores: number, threads: number): number {
  return Math.max(1, Math.floor(cores / Math.max(1, threads)));
}
