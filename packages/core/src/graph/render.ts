import { refsOf } from './lineage.ts';
import type { Graph } from './types.ts';

export type GraphFormat = 'mermaid' | 'dot';

/** The graph as a Mermaid flowchart or a Graphviz digraph; edges are labelled `output → input`. */
export function renderGraph(graph: Graph, format: GraphFormat): string {
  return format === 'dot' ? renderDot(graph) : renderMermaid(graph);
}

function edges(graph: Graph): { from: string; to: string; label: string }[] {
  const out: { from: string; to: string; label: string }[] = [];
  for (const id of graph.order) {
    const node = graph.nodes.get(id);
    if (!node) continue;
    for (const [input, value] of Object.entries(node.inputs)) {
      for (const ref of refsOf(value))
        out.push({
          from: ref.node,
          to: id,
          label: ref.output === input ? input : `${ref.output} → ${input}`,
        });
    }
  }
  return out;
}

function renderMermaid(graph: Graph): string {
  const key = new Map(graph.order.map((id, i) => [id, `n${i}`]));
  const text = (s: string) => s.replace(/"/g, '#quot;');
  const lines = ['flowchart LR'];
  for (const id of graph.order) {
    const node = graph.nodes.get(id);
    lines.push(`  ${key.get(id)}["${text(id)}<br/><small>${text(node?.definition.name ?? '')}</small>"]`);
  }
  for (const edge of edges(graph))
    lines.push(`  ${key.get(edge.from)} -->|"${text(edge.label)}"| ${key.get(edge.to)}`);
  return `${lines.join('\n')}\n`;
}

function renderDot(graph: Graph): string {
  const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
  const lines = [
    `digraph ${quote(graph.spec.name)} {`,
    '  rankdir=LR;',
    '  node [shape=box, fontname="Helvetica"];',
  ];
  for (const id of graph.order) {
    const node = graph.nodes.get(id);
    lines.push(`  ${quote(id)} [label=${quote(`${id}\n${node?.definition.name ?? ''}`)}];`);
  }
  for (const edge of edges(graph))
    lines.push(`  ${quote(edge.from)} -> ${quote(edge.to)} [label=${quote(edge.label)}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
