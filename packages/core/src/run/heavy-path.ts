import type { Graph, GraphNode } from '../graph/types.ts';

const isHeavy = (node: GraphNode) => node.definition.resources?.class === 'cpu-heavy';

/**
 * For each node, the most `cpu-heavy` stages on one path from it to the end of the graph, itself
 * included: the length of the heavy work that cannot start before it ends. The runner gives free
 * heavy slots to the longest first (critical path first), so an encoder that three classifiers
 * wait for is not queued behind classifiers that nothing waits for.
 */
export function heavyPathLengths(graph: Graph): Map<string, number> {
  const consumers = new Map<string, string[]>();
  for (const node of graph.nodes.values()) {
    for (const refs of Object.values(node.inputs)) {
      for (const ref of Array.isArray(refs) ? refs : [refs]) {
        const list = consumers.get(ref.node) ?? [];
        if (!list.includes(node.id)) list.push(node.id);
        consumers.set(ref.node, list);
      }
    }
  }
  const lengths = new Map<string, number>();
  for (const id of [...graph.order].reverse()) {
    const node = graph.nodes.get(id) as GraphNode;
    const after = Math.max(0, ...(consumers.get(id) ?? []).map((c) => lengths.get(c) ?? 0));
    lengths.set(id, after + (isHeavy(node) ? 1 : 0));
  }
  return lengths;
}
