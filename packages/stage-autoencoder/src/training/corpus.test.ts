import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureStoreWriter } from '@serx/stage-features';
import { expect, it } from 'vitest';
import { writeSyntheticStore } from '../../test/synthetic-store.ts';
import { holdOut, openCorpus } from './corpus.ts';

it('holds out a seeded, disjoint slice of round(size × fraction), never everything', () => {
  const a = holdOut(20, 0.1, 1);
  expect(a.validation).toHaveLength(2);
  expect(a.train).toHaveLength(18);
  expect(new Set([...a.train, ...a.validation]).size).toBe(20);
  expect(holdOut(20, 0.1, 1)).toEqual(a);
  expect(holdOut(20, 0.1, 2).validation).not.toEqual(a.validation);
  expect(holdOut(3, 0.01, 1).validation).toHaveLength(1);
  expect(holdOut(1, 0.5, 1)).toEqual({ train: Int32Array.of(0), validation: new Int32Array(0) });
  expect(holdOut(10, 0, 1).validation).toHaveLength(0);
});

it('reads utterances of several stores in order and refuses mixed MFCC counts or empty input', async () => {
  const root = mkdtempSync(join(tmpdir(), 'serx-ae-corpus-'));
  await writeSyntheticStore(join(root, 'a'), {
    utterances: 2,
    dims: 4,
    minFrames: 3,
    maxFrames: 5,
    seed: 1,
    corpus: 'a',
  });
  await writeSyntheticStore(join(root, 'b'), {
    utterances: 3,
    dims: 4,
    minFrames: 3,
    maxFrames: 5,
    seed: 2,
    corpus: 'b',
  });
  await writeSyntheticStore(join(root, 'c'), { utterances: 1, dims: 5, minFrames: 3, maxFrames: 5, seed: 3 });
  const corpus = await openCorpus([join(root, 'a'), join(root, 'b')]);
  expect(corpus.size).toBe(5);
  expect(corpus.describe(2)).toMatchObject({ id: 'u0', corpus: 'b' });
  expect(corpus.read(2)).toHaveLength(corpus.frames[2]! * 4);
  corpus.close();
  expect((await openCorpus([join(root, 'a'), join(root, 'b')], { limit: 3 })).size).toBe(3);
  await expect(openCorpus([join(root, 'a'), join(root, 'c')])).rejects.toMatchObject({
    code: 'INPUT_DATA',
    message: expect.stringContaining('dims 5'),
  });
  const empty = join(root, 'empty');
  await (await FeatureStoreWriter.create(empty, { dims: 4 })).close();
  await expect(openCorpus([empty])).rejects.toMatchObject({
    code: 'INPUT_DATA',
    message: expect.stringContaining('nothing to pretrain on'),
  });
});
