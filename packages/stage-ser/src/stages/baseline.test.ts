import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifact } from '@serx/core';
import { FeatureStoreWriter, openFeatureStore } from '@serx/stage-features';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifact,
  CLASSES,
  NUM_CEPS,
  tempDir,
  testContext,
  writeSyntheticStore,
} from '../../test/helpers.ts';
import { FUNCTIONALS } from '../baseline/functionals.ts';
import { validationScore } from '../baseline/select-c.ts';
import { type BaselineParams, baseline } from './baseline.ts';

let root: Awaited<ReturnType<typeof tempDir>>;
let corpusA: Artifact;
let corpusB: Artifact;
let tess: Artifact;

const defaults: BaselineParams = {
  model: 'logistic',
  functionals: [...FUNCTIONALS],
  cGrid: [0.01, 1, 100],
  classWeights: 'balanced',
  selection: 'ua_corpus_mean',
  classes: null,
  splits: ['test'],
};

beforeAll(async () => {
  root = await tempDir('serx-baseline-');
  corpusA = await writeSyntheticStore(join(root.dir, 'a'), {
    corpus: 'corpusa',
    perClass: { train: 12, validation: 4, test: 5 },
    seed: 1,
  });
  corpusB = await writeSyntheticStore(join(root.dir, 'b'), {
    corpus: 'corpusb',
    perClass: { train: 8, validation: 3, test: 4 },
    seed: 2,
  });
  tess = await writeSyntheticStore(join(root.dir, 'tess'), {
    corpus: 'tess',
    perClass: { unsplit: 6 },
    seed: 3,
  });
});
afterAll(() => root.cleanup());

async function runBaseline(name: string, params: Partial<BaselineParams>, data = [corpusA, corpusB]) {
  const out = join(root.dir, name);
  const ctx = testContext<BaselineParams, typeof baseline.inputs>({
    id: `baseline_${name}`,
    params: { ...defaults, ...params },
    inputs: { data, features: [corpusA, corpusB, tess] },
    outputs: { predictions: out },
    workDir: join(root.dir, `${name}-work`),
    heldOut: ['tess'],
  });
  const result = await baseline.run(ctx);
  const store = await openFeatureStore(out);
  store.close();
  return { out, store, result, ctx };
}

describe('ser:baseline', () => {
  it('logistic: predicts test rows and the unsplit corpus whole, in ser:predict format', async () => {
    const { store, result } = await runBaseline('logistic', {});
    // 3 classes x (5 + 4) test rows, and all 18 rows of the never-split corpus
    expect(store.rows).toHaveLength(27 + 18);
    expect(store.meta.dims).toBe(8 * NUM_CEPS + 1);
    expect(store.meta).toMatchObject({ kind: 'predictions', classes: CLASSES, strategy: 'logistic' });
    expect(store.meta.trainCorpora).toEqual(['corpusa', 'corpusb']);
    for (const row of store.rows) {
      const probs = row.probs as number[];
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect(row.pred).toBe(CLASSES[probs.indexOf(Math.max(...probs))]);
    }
    // classes differ in the level of every third coefficient: far above chance (1/3)
    const correct = store.rows.filter((r) => r.pred === r.class).length / store.rows.length;
    expect(correct).toBeGreaterThan(0.8);
    const grid = (store.meta.baseline as { grid: { C: number }[]; C: number }).grid;
    expect(grid.map((g) => g.C)).toEqual([0.01, 1, 100]);
    expect(result).toMatchObject({ metrics: { C: (store.meta.baseline as { C: number }).C } });
  });

  it('is deterministic: the same inputs give byte-equal predictions', async () => {
    const a = await runBaseline('det1', {});
    const b = await runBaseline('det2', {});
    expect(await readFile(join(b.out, 'index.jsonl'), 'utf8')).toBe(
      await readFile(join(a.out, 'index.jsonl'), 'utf8'),
    );
  });

  it('majority: always the most frequent training class, with the priors as probabilities', async () => {
    const dir = join(root.dir, 'skewed');
    const writer = await FeatureStoreWriter.create(dir, { dims: NUM_CEPS });
    const split = ['train', 'train', 'train', 'train', 'validation', 'test'];
    let n = 0;
    for (const [cls, count] of [
      ['neutral', 5],
      ['positive', 2],
      ['negative', 1],
    ] as const) {
      for (let i = 0; i < count; i++)
        for (const s of split) {
          const row = { id: `u${n++}`, corpus: 'skewed', speaker: 's', label: cls, class: cls, split: s };
          await writer.append(row, new Float32Array(20 * NUM_CEPS).fill(i));
        }
    }
    await writer.close();
    const skewed = artifact(dir, 'features', ['skewed'], 'mfcc_skewed');
    const out = join(root.dir, 'majority');
    await baseline.run(
      testContext<BaselineParams, typeof baseline.inputs>({
        params: { ...defaults, model: 'majority' },
        inputs: { data: [skewed], features: [skewed] },
        outputs: { predictions: out },
        workDir: join(root.dir, 'mw'),
      }),
    );
    const store = await openFeatureStore(out);
    store.close();
    expect(store.rows).toHaveLength(8);
    expect(new Set(store.rows.map((r) => r.pred))).toEqual(new Set(['neutral']));
    expect(store.rows[0]?.probs).toEqual([1 / 8, 5 / 8, 2 / 8].map((v) => expect.closeTo(v, 12)));
  });

  it('svm: a linear SVM on the same functionals, C chosen on validation, decision softmax as probs', async () => {
    const { store, result } = await runBaseline('svm', { model: 'linear-svm' });
    expect(store.rows).toHaveLength(27 + 18);
    expect(store.meta).toMatchObject({ strategy: 'linear-svm', dims: 8 * NUM_CEPS + 1 });
    expect(store.meta.probs).toMatch(/softmax of the one-vs-rest decision values/);
    for (const row of store.rows) {
      const probs = row.probs as number[];
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect(row.pred).toBe(CLASSES[probs.indexOf(Math.max(...probs))]);
    }
    expect(store.rows.filter((r) => r.pred === r.class).length / store.rows.length).toBeGreaterThan(0.8);
    const chosen = store.meta.baseline as { C: number; grid: { C: number }[] };
    expect(chosen.grid.map((g) => g.C)).toEqual([0.01, 1, 100]);
    expect(result).toMatchObject({ metrics: { C: chosen.C } });
  });

  it('takes a functionals store (eGeMAPS from features:opensmile) as it is, one vector per row', async () => {
    const stores = await Promise.all(
      [corpusA, corpusB, tess].map((a) =>
        functionalsStoreOf(a, join(root.dir, `${a.corpora[0]}-functionals`)),
      ),
    );
    const [a, b, t] = stores as [Artifact, Artifact, Artifact];
    const out = join(root.dir, 'egemaps');
    for (const model of ['logistic', 'linear-svm'] as const) {
      const result = await baseline.run(
        testContext<BaselineParams, typeof baseline.inputs>({
          id: `baseline_egemaps_${model}`,
          params: { ...defaults, model },
          inputs: { data: [a, b], features: [a, b, t] },
          outputs: { predictions: `${out}-${model}` },
          workDir: join(root.dir, `egemaps-${model}-work`),
          heldOut: ['tess'],
        }),
      );
      const store = await openFeatureStore(`${out}-${model}`);
      store.close();
      // the stored vector itself (NUM_CEPS values), not functionals of it
      expect(store.meta).toMatchObject({
        dims: NUM_CEPS,
        strategy: model,
        inputFeatures: 'eGeMAPSv02 functionals',
      });
      expect(result?.meta?.predictions).toMatchObject({ inputFeatures: 'eGeMAPSv02 functionals' });
      expect(store.rows.filter((r) => r.pred === r.class).length / store.rows.length).toBeGreaterThan(0.8);
    }
    // one kind of store on both inputs
    await expect(
      baseline.run(
        testContext<BaselineParams, typeof baseline.inputs>({
          params: defaults,
          inputs: { data: [a, b], features: [corpusA] },
          outputs: { predictions: join(root.dir, 'mixed') },
          workDir: join(root.dir, 'mixed-work'),
        }),
      ),
    ).rejects.toMatchObject({ code: 'INPUT_DATA', message: expect.stringContaining('a frame store') });
  });

  it('refuses training data from a held-out corpus (HELD_OUT_DATA)', async () => {
    await expect(runBaseline('leak', {}, [corpusA, tess])).rejects.toMatchObject({ code: 'HELD_OUT_DATA' });
  });
});

/** A functionals store like features:opensmile's: each row's frames averaged into one row. */
async function functionalsStoreOf(source: Artifact, dir: string): Promise<Artifact> {
  const input = await openFeatureStore(source.path);
  const writer = await FeatureStoreWriter.create(dir, {
    dims: NUM_CEPS,
    meta: { featureSet: 'eGeMAPSv02', level: 'functionals' },
  });
  for (const { row, data } of input.iterate()) {
    const mean = new Float32Array(NUM_CEPS);
    for (let f = 0; f < row.frames; f++)
      for (let c = 0; c < NUM_CEPS; c++) mean[c]! += data[f * NUM_CEPS + c]! / row.frames;
    const { frames: _f, shard: _s, offset: _o, ...fields } = row;
    await writer.append(fields, mean);
  }
  await writer.close();
  input.close();
  return { ...source, path: dir, producer: `egemaps_${source.corpora[0]}` };
}

describe('validation score', () => {
  // corpus x: 2 rows, both right; corpus y: 4 rows, 1 of 2 class-0 rows and 2 of 2 class-1 rows right
  const ex = (label: number, corpus: string) => ({ x: new Float64Array(0), label, corpus });
  const examples = [ex(0, 'x'), ex(1, 'x'), ex(0, 'y'), ex(0, 'y'), ex(1, 'y'), ex(1, 'y')];
  const pred = [0, 1, 0, 1, 1, 1];
  it('averages UA per corpus for ua_corpus_mean', () => {
    // x: recalls 1, 1 → 1; y: recalls 1/2, 1 → 0.75; mean 0.875
    expect(validationScore(examples, pred, 2, 'ua_corpus_mean')).toBeCloseTo(0.875, 12);
  });
  it('pools the rows for ua', () => {
    // class 0: 2 of 3; class 1: 3 of 3 → (2/3 + 1) / 2
    expect(validationScore(examples, pred, 2, 'ua')).toBeCloseTo(5 / 6, 12);
  });
});
