/**
 * Issue 24 point 6: every model-training stage resumed from its checkpoint ends bit for bit where
 * an uninterrupted run ends (sha256 of every output file), with every regulariser on (dropout,
 * SpecAugment, plateau LR, clipping, decay: all the seeded streams and the whole optimizer state
 * matter). The kill lands at a batch drawn from a seed, mid-epoch, after the first checkpoint.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Artifact, mulberry32, type StageDefinition } from '@serx/core';
import { buildStructure, writeEncoderArtifact } from '@serx/stage-autoencoder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifact,
  fileHashes,
  fullRecipe,
  tf as loadTf,
  NUM_CEPS,
  tempDir,
  testContext,
  writeSyntheticStore,
} from '../../test/helpers.ts';
import { finetune } from './finetune.ts';
import { train } from './train.ts';
import type { TrainParams } from './train-params.ts';

const EPOCHS = 5;
const trainParams: TrainParams = {
  ...fullRecipe,
  strategy: 'scratch',
  structure: { name: 'ser-test-tiny', params: {} },
  classes: null,
  lstmUnits: 6,
  hiddenUnits: 5,
  epochs: EPOCHS,
  batchSize: 6,
  learningRate: 0.01,
  patience: 0,
  classWeights: 'balanced',
  selection: { metric: 'ua_corpus_mean', minEpochs: 1 },
  minFrames: 16,
  maxFrames: 64,
  padMultiple: 4,
  lstmImpl: 'auto',
};

let root: Awaited<ReturnType<typeof tempDir>>;
let data: Artifact[];
let encoder: Artifact;
let n = 0;

beforeAll(async () => {
  const tf = await loadTf();
  root = await tempDir();
  data = [
    await writeSyntheticStore(join(root.dir, 'a'), {
      corpus: 'corpusa',
      perClass: { train: 8, validation: 3 },
      seed: 1,
    }),
    await writeSyntheticStore(join(root.dir, 'b'), {
      corpus: 'corpusb',
      perClass: { train: 6, validation: 3 },
      seed: 2,
    }),
  ];
  const built = buildStructure(tf, { name: 'ser-test-tiny' }, { numCeps: NUM_CEPS, seed: 9, decoder: true });
  const dir = join(root.dir, 'encoder');
  await writeEncoderArtifact(tf, dir, built, NUM_CEPS, { epochs: [] });
  encoder = artifact(dir, 'encoder', ['librispeech'], 'ae');
});
afterAll(() => root.cleanup());

async function runStage<P>(
  stage: StageDefinition<P>,
  params: P,
  inputs: { [name: string]: Artifact | Artifact[] },
  o: { workDir?: string; abortAtTick?: number } = {},
) {
  const out = join(root.dir, `out-${n++}`);
  await mkdir(out, { recursive: true });
  const workDir = o.workDir ?? join(root.dir, `work-${n}`);
  await mkdir(workDir, { recursive: true });
  const controller = new AbortController();
  const ctx = testContext<P>({
    params,
    inputs,
    outputs: { model: out },
    workDir,
    signal: controller.signal,
    onTick: (ticks) => ticks === o.abortAtTick && controller.abort(new Error('killed')),
  });
  await stage.run(ctx);
  return { ctx, out, hashes: await fileHashes(out) };
}

/** Runs `stage` whole, then killed at seeded batches and resumed: the outputs must be identical. */
async function expectExactResume<P>(
  stage: StageDefinition<P>,
  params: P,
  inputs: { [name: string]: Artifact | Artifact[] },
  seed: number,
) {
  const whole = await runStage(stage, params, inputs);
  const batches = whole.ctx.recorded.progress[0]!.total;
  expect(batches).toBeGreaterThanOrEqual(4);
  for (const draw of [seed, seed + 10]) {
    const r = mulberry32(draw);
    const epoch = 2 + Math.floor(r() * (EPOCHS - 2)); // 2..EPOCHS-1: after a checkpoint, epochs follow
    const batch = 1 + Math.floor(r() * (batches - 1)); // mid-epoch
    const workDir = join(root.dir, `resume-${n++}`);
    await expect(
      runStage(stage, params, inputs, { workDir, abortAtTick: (epoch - 1) * batches + batch }),
    ).rejects.toThrow('killed');
    const resumed = await runStage(stage, params, inputs, { workDir });
    expect(resumed.ctx.recorded.logs).toContain(`resuming after epoch ${epoch - 1} from a checkpoint`);
    expect(resumed.hashes, `killed in epoch ${epoch} at batch ${batch}`).toEqual(whole.hashes);
  }
  return whole;
}

describe('resume is exact', { timeout: 240_000 }, () => {
  it('ser:train from scratch', async () => {
    await expectExactResume(train, trainParams, { data }, 5);
  });

  it('ser:train on a frozen encoder', async () => {
    const frozen: TrainParams = { ...trainParams, strategy: 'frozen' };
    await expectExactResume(train, frozen, { data, encoder }, 2);
  });

  it('ser:finetune', async () => {
    const frozenParams: TrainParams = { ...trainParams, strategy: 'frozen', epochs: 2 };
    const frozen = await runStage(train, frozenParams, { data, encoder });
    const model = { ...artifact(frozen.out, 'model', ['corpusa', 'corpusb'], 'ser_frozen') };
    const {
      strategy: _s,
      structure: _t,
      classes: _c,
      lstmUnits: _l,
      hiddenUnits: _h,
      ...recipe
    } = trainParams;
    const { minFrames: _a, maxFrames: _b, padMultiple: _p, lstmImpl: _i, dropout: _d, ...tuning } = recipe;
    await expectExactResume(finetune, { ...tuning, learningRate: 0.005 }, { model, data }, 3);
  });
});
