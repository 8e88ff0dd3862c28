import { execFileSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifact } from '@serx/core';
import type { ShardSetting } from '@serx/core/shards';
import { runStageSharded } from '@serx/core/shards/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testContext, trainTinyModel, writeSyntheticStore } from '../../test/helpers.ts';
import '../plugin.ts'; // registers the shard contract, as loading the plugin does
import { type PredictParams, predict } from './predict.ts';
import { predictWindows } from './predict-shards-run.ts';

let root: Awaited<ReturnType<typeof tempDir>>;
let model: Artifact;
let features: Artifact[];

beforeAll(async () => {
  root = await tempDir();
  const corpusA = await writeSyntheticStore(join(root.dir, 'a'), {
    corpus: 'corpusa',
    perClass: { train: 6, validation: 2, test: 20 },
    seed: 1,
  });
  const unsplit = await writeSyntheticStore(join(root.dir, 'tess'), {
    corpus: 'tess',
    perClass: { unsplit: 2 },
    seed: 4,
    maxFrames: 70,
  });
  features = [corpusA, unsplit];
  model = await trainTinyModel(root.dir, corpusA, 'corpusa');
}, 120_000);
afterAll(() => root.cleanup());

const params: PredictParams = { splits: ['test'], batchSize: 2 };

async function predictInto(name: string, setting?: ShardSetting) {
  const out = join(root.dir, name);
  const ctx = testContext<PredictParams, typeof predict.inputs>({
    params,
    inputs: { model, features },
    outputs: { predictions: out },
    workDir: join(root.dir, `work-${name}`),
  });
  const result = setting ? await runStageSharded(predict, ctx, setting) : await predict.run(ctx);
  return { out, result };
}

describe('ser:predict in shards', { timeout: 120_000 }, () => {
  it('writes the unsharded store byte for byte: shards of whole windows, uneven, shardSize, more shards than windows', async () => {
    const windows = await predictWindows(
      testContext<PredictParams, typeof predict.inputs>({
        params,
        inputs: { model, features },
        outputs: {},
        workDir: root.dir,
      }),
    );
    // 60 test rows of corpusa in windows of 2 × 16, then the 6 rows of the unsplit corpus
    expect(windows).toEqual([
      { store: 0, start: 0, end: 32 },
      { store: 0, start: 32, end: 60 },
      { store: 1, start: 0, end: 6 },
    ]);
    const plain = await predictInto('plain');
    const files = (await readdir(plain.out)).sort();
    for (const [name, setting] of [
      ['two', { count: 2 }],
      ['size1', { size: 1 }],
      ['many', { count: 10 }],
    ] as const) {
      const sharded = await predictInto(name, setting);
      expect(sharded.result).toEqual(plain.result);
      expect((await readdir(sharded.out)).sort()).toEqual(files);
      for (const f of files) execFileSync('cmp', [join(plain.out, f), join(sharded.out, f)]);
    }
  });
});
