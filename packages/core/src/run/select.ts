import { SerxError } from '../errors.ts';
import type { Graph } from '../graph/types.ts';
import { upstreamIds } from './node-key.ts';

export interface Selection {
  /** Stage ids (all variants) or node ids to run, with what they need upstream. */
  only?: readonly string[];
  /** Stage ids or node ids to run with everything downstream of them (and what those need). */
  from?: readonly string[];
}

function matching(graph: Graph, names: readonly string[], flag: string): string[] {
  const ids: string[] = [];
  for (const name of names) {
    const found = graph.order.filter((id) => id === name || graph.nodes.get(id)?.stageId === name);
    if (found.length === 0) {
      const known = [...new Set([...graph.nodes.values()].map((n) => n.stageId))].join(', ');
      throw new SerxError(
        'USAGE',
        `${flag} ${name}: no such stage in spec '${graph.spec.name}' (stages: ${known})`,
      );
    }
    ids.push(...found);
  }
  return ids;
}

function withUpstream(graph: Graph, seeds: Iterable<string>): Set<string> {
  const selected = new Set<string>();
  const visit = (id: string) => {
    if (selected.has(id)) return;
    selected.add(id);
    const node = graph.nodes.get(id);
    if (node) for (const up of upstreamIds(node)) visit(up);
  };
  for (const id of seeds) visit(id);
  return selected;
}

/** Node ids to run, in topological order. No selection → every node. */
export function selectNodes(graph: Graph, selection: Selection = {}): string[] {
  const hasOnly = (selection.only?.length ?? 0) > 0;
  const hasFrom = (selection.from?.length ?? 0) > 0;
  if (!hasOnly && !hasFrom) return [...graph.order];
  const targets = new Set<string>(hasOnly ? matching(graph, selection.only ?? [], '--only') : []);
  if (hasFrom) {
    const downstream = new Set(matching(graph, selection.from ?? [], '--from'));
    for (const id of graph.order) {
      const node = graph.nodes.get(id);
      if (node && upstreamIds(node).some((up) => downstream.has(up))) downstream.add(id);
    }
    for (const id of downstream) targets.add(id);
  }
  const selected = withUpstream(graph, targets);
  return graph.order.filter((id) => selected.has(id));
}
