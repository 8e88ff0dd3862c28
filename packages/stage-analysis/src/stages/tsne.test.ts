import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifact, runStage, tempDir } from '../../test/context.ts';
import { FROZEN, SCRATCH, writeMethodPredictions } from '../../test/fixtures.ts';
import { type TsneDoc, tsneStage } from './tsne.ts';

describe('analysis:tsne', () => {
  it('embeds the test partitions and the unseen corpus of each model; clearer class clusters score higher', async () => {
    const root = await tempDir();
    const predictions = [
      await writeMethodPredictions(root, FROZEN, 1),
      await writeMethodPredictions(root, SCRATCH, 1),
    ];
    const { outputs, result } = await runStage(tsneStage, {
      params: {
        perplexity: 15,
        iterations: 300,
        theta: 0.5,
        method: 'barnes-hut' as const,
        maxPoints: 5000,
        splits: ['test'],
      },
      inputs: { predictions },
      heldOut: ['tess'],
      seed: 4,
    });
    const doc: TsneDoc = JSON.parse(await readFile(join(outputs.tsne!, 'tsne.json'), 'utf8'));
    expect(doc.models.map((m) => m.label)).toEqual([
      'CNN-LSTM (from scratch)',
      'CNN-LSTM + pre-trained encoder',
    ]);
    // emodb 40 → 32 test rows, savee 30 → 24, tess 60 all (unseen)
    expect(doc.models.map((m) => m.n)).toEqual([116, 116]);
    expect(doc.models[0]!.points.filter((p) => p.corpus === 'tess')).toHaveLength(60);
    const [scratch, frozen] = doc.models;
    expect(frozen!.silhouette.tsne.class).toBeGreaterThan(scratch!.silhouette.tsne.class + 0.1);
    expect(frozen!.silhouette.hidden.class).toBeGreaterThan(scratch!.silhouette.hidden.class);
    expect(result).toMatchObject({
      metrics: { 'silhouette_class.ser_frozen_seed_1': frozen!.silhouette.tsne.class },
    });
    const svg = await readFile(join(outputs.tsne!, 'tsne.svg'), 'utf8');
    expect(svg).toContain('(b) CNN-LSTM + pre-trained encoder — by class');
    expect((await readFile(join(outputs.tsne!, 'tsne.png'))).subarray(1, 4).toString()).toBe('PNG');
  });
  it('names panels after the trained models matched by hash when the predictions only carry the hash', async () => {
    const root = await tempDir();
    const bare = async (spec: typeof FROZEN, hash: string) => {
      const a = await writeMethodPredictions(root, spec, 2);
      return { ...a, producer: `predict_${spec.strategy}[seed=2]`, meta: { model: hash } };
    };
    const models = [
      { ...artifact('/m1', 'model', 'ser_frozen[seed=2]', { strategy: 'frozen' }), hash: 'H-frozen' },
      { ...artifact('/m2', 'model', 'ser_scratch[seed=2]', { strategy: 'scratch' }), hash: 'H-scratch' },
    ];
    const { outputs } = await runStage(tsneStage, {
      params: {
        perplexity: 10,
        iterations: 300,
        theta: 0.5,
        method: 'exact' as const,
        maxPoints: 5000,
        splits: ['test'],
      },
      inputs: { predictions: [await bare(FROZEN, 'H-frozen'), await bare(SCRATCH, 'H-scratch')], models },
      heldOut: ['tess'],
    });
    const doc: TsneDoc = JSON.parse(await readFile(join(outputs.tsne!, 'tsne.json'), 'utf8'));
    expect(doc.models.map((m) => [m.model, m.method, m.label])).toEqual([
      ['ser_scratch[seed=2]', 'ser_scratch', 'CNN-LSTM (from scratch)'],
      ['ser_frozen[seed=2]', 'ser_frozen', 'CNN-LSTM + pre-trained encoder'],
    ]);
  });
});
