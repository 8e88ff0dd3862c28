import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/graph/load-spec.ts';
import { renderGraph } from '../../src/graph/render.ts';

const spec = join(import.meta.dirname, 'positive', 'small.yaml');

describe('renderGraph', () => {
  it('renders Mermaid', async () => {
    const graph = await loadSpec(spec);
    expect(renderGraph(graph, 'mermaid')).toBe(
      [
        'flowchart LR',
        '  n0["src<br/><small>test:source</small>"]',
        '  n1["train[seed=1]<br/><small>test:train</small>"]',
        '  n2["train[seed=2]<br/><small>test:train</small>"]',
        '  n3["eval[seed=1]<br/><small>test:evaluate</small>"]',
        '  n4["eval[seed=2]<br/><small>test:evaluate</small>"]',
        '  n5["report<br/><small>test:report</small>"]',
        '  n0 -->|"numbers → data"| n1',
        '  n0 -->|"numbers → data"| n2',
        '  n1 -->|"model"| n3',
        '  n0 -->|"numbers"| n3',
        '  n2 -->|"model"| n4',
        '  n0 -->|"numbers"| n4',
        '  n3 -->|"evaluation → evaluations"| n5',
        '  n4 -->|"evaluation → evaluations"| n5',
        '',
      ].join('\n'),
    );
  });

  it('renders Graphviz dot', async () => {
    const graph = await loadSpec(spec);
    expect(renderGraph(graph, 'dot')).toBe(
      [
        'digraph "small" {',
        '  rankdir=LR;',
        '  node [shape=box, fontname="Helvetica"];',
        '  "src" [label="src\\ntest:source"];',
        '  "train[seed=1]" [label="train[seed=1]\\ntest:train"];',
        '  "train[seed=2]" [label="train[seed=2]\\ntest:train"];',
        '  "eval[seed=1]" [label="eval[seed=1]\\ntest:evaluate"];',
        '  "eval[seed=2]" [label="eval[seed=2]\\ntest:evaluate"];',
        '  "report" [label="report\\ntest:report"];',
        '  "src" -> "train[seed=1]" [label="numbers → data"];',
        '  "src" -> "train[seed=2]" [label="numbers → data"];',
        '  "train[seed=1]" -> "eval[seed=1]" [label="model"];',
        '  "src" -> "eval[seed=1]" [label="numbers"];',
        '  "train[seed=2]" -> "eval[seed=2]" [label="model"];',
        '  "src" -> "eval[seed=2]" [label="numbers"];',
        '  "eval[seed=1]" -> "report" [label="evaluation → evaluations"];',
        '  "eval[seed=2]" -> "report" [label="evaluation → evaluations"];',
        '}',
        '',
      ].join('\n'),
    );
  });
});
