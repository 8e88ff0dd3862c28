import { describe, expect, it } from 'vitest';
import type { Graph, GraphNode } from '../graph/types.ts';
import { heavyPathLengths } from './heavy-path.ts';

const stage = (id: string, heavy: boolean, inputs: string[] = []) =>
  ({
    id,
    definition: { resources: { class: heavy ? 'cpu-heavy' : 'light' } },
    inputs: { in: inputs.map((node) => ({ node, output: 'out' })) },
  }) as unknown as GraphNode;

describe('heavy path lengths', () => {
  it("count the heavy stages on the longest path to the end: the paper's encoder before its classifiers", () => {
    // features → ae → {frozen, finetune} → predict → evaluate; features → scratch → predict
    const nodes = [
      stage('mfcc', false),
      stage('ae', true, ['mfcc']),
      stage('ser_scratch', true, ['mfcc']),
      stage('ser_frozen', true, ['mfcc', 'ae']),
      stage('ser_finetune', true, ['ser_frozen']),
      stage('predict', false, ['ser_scratch', 'ser_frozen', 'ser_finetune']),
      stage('report', false, ['predict']),
    ];
    const graph = { nodes: new Map(nodes.map((n) => [n.id, n])), order: nodes.map((n) => n.id) } as Graph;
    expect(Object.fromEntries(heavyPathLengths(graph))).toEqual({
      mfcc: 3,
      ae: 3,
      ser_scratch: 1,
      ser_frozen: 2,
      ser_finetune: 1,
      predict: 0,
      report: 0,
    });
  });
});
