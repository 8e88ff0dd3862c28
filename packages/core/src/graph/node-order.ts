import { refsOf } from './lineage.ts';
import type { GraphNode } from './types.ts';

/**
 * Node ids with dependencies first; otherwise in spec order (the insertion order of `nodes`).
 * The stage graph was proven acyclic before expansion, so the node graph is too.
 */
export function topologicalOrder(nodes: Map<string, GraphNode>, specOrder: Iterable<string>): string[] {
  const done = new Set<string>();
  const order: string[] = [];
  const visit = (id: string): void => {
    if (done.has(id)) return;
    done.add(id);
    const node = nodes.get(id);
    if (!node) return;
    for (const value of Object.values(node.inputs)) for (const ref of refsOf(value)) visit(ref.node);
    order.push(id);
  };
  for (const id of specOrder) visit(id);
  return order;
}
