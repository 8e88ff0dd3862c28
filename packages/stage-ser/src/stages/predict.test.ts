import { join } from 'node:path';
import type { Artifact } from '@serx/core';
import { openFeatureStore } from '@serx/stage-features';
import type * as tfjs from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLASSES,
  tf as loadTf,
  NUM_CEPS,
  tempDir,
  testContext,
  trainTinyModel,
  writeSyntheticStore,
} from '../../test/helpers.ts';
import { loadTrainedModel } from '../model/config.ts';
import { type PredictParams, predict } from './predict.ts';

let root: Awaited<ReturnType<typeof tempDir>>;
let tf: Awaited<ReturnType<typeof loadTf>>;
let model: Artifact;
let corpusA: Artifact;
let unsplit: Artifact;

beforeAll(async () => {
  tf = await loadTf();
  root = await tempDir();
  corpusA = await writeSyntheticStore(join(root.dir, 'a'), {
    corpus: 'corpusa',
    perClass: { train: 6, validation: 2, test: 3 },
    seed: 1,
  });
  // Like held-out TESS: never split (split null), so predicted whole.
  unsplit = await writeSyntheticStore(join(root.dir, 'tess'), {
    corpus: 'tess',
    perClass: { unsplit: 2 },
    seed: 4,
    maxFrames: 70,
  });
  model = await trainTinyModel(root.dir, corpusA, 'corpusa');
});
afterAll(() => root.cleanup());

async function runPredict(params: PredictParams, features: Artifact[]) {
  const out = join(root.dir, `pred-${params.batchSize}-${params.splits.join('+')}`);
  const ctx = testContext<PredictParams, typeof predict.inputs>({
    params,
    inputs: { model, features },
    outputs: { predictions: out },
    workDir: join(root.dir, 'pw'),
  });
  const result = await predict.run(ctx);
  return { store: await openFeatureStore(out), result };
}

describe('ser:predict', () => {
  it('writes probabilities, predictions and embeddings of the test rows, and all rows of an unsplit corpus', async () => {
    const { store, result } = await runPredict({ splits: ['test'], batchSize: 4 }, [corpusA, unsplit]);
    const source = await openFeatureStore(corpusA.path);
    const tess = await openFeatureStore(unsplit.path);
    const expectedIds = [...source.rows.filter((r) => r.split === 'test'), ...tess.rows].map((r) => r.id);
    expect(store.rows.map((r) => r.id)).toEqual(expectedIds); // input order kept
    expect(store.meta).toMatchObject({ dims: 5, kind: 'predictions', classes: CLASSES, count: 15 });
    expect(result?.meta?.predictions?.counts).toEqual({ corpusa: 9, tess: 6 });
    for (const row of store.rows) {
      const probs = row.probs as number[];
      expect(probs).toHaveLength(3);
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(row.pred).toBe(CLASSES[probs.indexOf(Math.max(...probs))]);
      expect(row.frames).toBe(1);
      expect(CLASSES).toContain(row.class);
    }

    // Each utterance's outputs equal the model's on that utterance alone: batch-mates do not matter.
    const { model: net, config } = await loadTrainedModel(tf, model.path);
    for (const row of [store.rows[0], store.rows[14]]) {
      const src = [...source.rows, ...tess.rows].find((r) => r.id === row?.id);
      if (!src || !row) throw new Error('row missing');
      const owner = src.corpus === 'tess' ? tess : source;
      expect(config.padMultiple).toBe(8);
      const padded =
        Math.ceil(Math.max(config.minFrames, src.frames) / config.padMultiple) * config.padMultiple;
      const x = new Float32Array(padded * NUM_CEPS);
      x.set(owner.read(src));
      const [probs, embedding] = net.predict([
        tf.tensor4d(x, [1, padded, NUM_CEPS, 1]),
        tf.tensor2d([[src.frames]]),
      ]) as tfjs.Tensor[];
      const stored = store.read(row);
      for (const [i, v] of Array.from(embedding?.dataSync() ?? []).entries())
        expect(stored[i]).toBeCloseTo(v, 5);
      for (const [i, v] of Array.from(probs?.dataSync() ?? []).entries())
        expect((row.probs as number[])[i]).toBeCloseTo(v, 5);
    }
  });

  it('gives the same outputs whatever the batch size', async () => {
    const a = await runPredict({ splits: ['test', 'validation'], batchSize: 1 }, [corpusA]);
    const b = await runPredict({ splits: ['test', 'validation'], batchSize: 7 }, [corpusA]);
    expect(a.store.rows).toHaveLength(15);
    a.store.rows.forEach((row, i) => {
      const other = b.store.rows[i];
      expect(other?.id).toBe(row.id);
      const otherProbs = other?.probs as number[];
      for (const [k, p] of (row.probs as number[]).entries()) expect(otherProbs[k]).toBeCloseTo(p, 5);
    });
  });
});
