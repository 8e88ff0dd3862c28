// Every experiment YAML resolves against the real plugins, and the matrix shares what does not vary.
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSpec } from '@serx/core';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const specs = readdirSync(here, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const variantsOf = async (file: string) => {
  const graph = await loadSpec(join(here, file), { env: { SERX_DATA: '/data' } });
  const count = new Map<string, number>();
  for (const node of graph.nodes.values()) count.set(node.stageId, (count.get(node.stageId) ?? 0) + 1);
  return { graph, count };
};

describe('experiment specs', () => {
  it('finds the paper, the smoke run and every ablation', () => {
    expect(specs).toEqual([
      'ablations/encoder-structure.yaml',
      'ablations/frozen-vs-finetune.yaml',
      'ablations/loco/emodb.yaml',
      'ablations/loco/emovo.yaml',
      'ablations/loco/ravdess.yaml',
      'ablations/loco/savee.yaml',
      'ablations/loco/tess.yaml',
      'ablations/pretraining-size.yaml',
      'ablations/sparsity.yaml',
      'paper.yaml',
      'smoke.yaml',
    ]);
  });

  it.each(specs)('%s resolves with TESS (or the left-out corpus) held out', async (file) => {
    const { graph } = await variantsOf(file);
    expect(graph.spec.heldOut).toContain(
      file.startsWith('ablations/loco/') ? relative('ablations/loco', file).replace('.yaml', '') : 'tess',
    );
    expect(graph.nodes.get('ingest_emodb')!.params.root).toBe('/data/emodb');
  });

  it('paper: 5 seeds of every model stage, features computed once', async () => {
    const { count } = await variantsOf('paper.yaml');
    expect(count.get('mfcc_emodb')).toBe(1);
    for (const stage of ['ae', 'ser_scratch', 'ser_frozen', 'ser_finetune', 'eval_frozen', 'tsne'])
      expect(count.get(stage)).toBe(5);
    expect(count.get('report')).toBe(1);
  });

  it('sparsity ablation shares the from-scratch models across sparsity values', async () => {
    const { graph, count } = await variantsOf('ablations/sparsity.yaml');
    expect(count.get('ae')).toBe(12);
    expect(count.get('ser_frozen')).toBe(12);
    expect(count.get('ser_scratch')).toBe(3);
    expect(graph.nodes.get('ae[seed=1,sparsity=0]')!.params.sparsity).toBe(0);
  });

  it('leave-one-corpus-out trains without the left-out corpus', async () => {
    const { graph } = await variantsOf('ablations/loco/savee.yaml');
    const data = graph.nodes.get('ser_frozen[seed=1]')!.inputs.data as { node: string }[];
    expect(data.map((d) => d.node)).toEqual(['mfcc_emodb', 'mfcc_emovo', 'mfcc_iemocap', 'mfcc_ravdess']);
  });
});
