/**
 * The model stages chained as in the paper spec (autoencoder:pretrain → ser:train frozen →
 * ser:finetune → ser:predict), run twice from scratch with the same seed: every output must be
 * byte-identical (issue 14: no timings, dates, host names or process-dependent names in outputs),
 * and fine-tuning must continue from the frozen model rather than repeat its training.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifact, StageDefinition } from '@serx/core';
import { pretrain } from '@serx/stage-autoencoder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finetune } from '../src/stages/finetune.ts';
import { predict } from '../src/stages/predict.ts';
import { train } from '../src/stages/train.ts';
import type { TrainParams } from '../src/stages/train-params.ts';
import { artifact, fileHashes, fullRecipe, tempDir, testContext, writeSyntheticStore } from './helpers.ts';

let root: Awaited<ReturnType<typeof tempDir>>;
let data: Artifact[];
let unlabelled: Artifact;

beforeAll(async () => {
  root = await tempDir();
  data = [
    await writeSyntheticStore(join(root.dir, 'a'), {
      corpus: 'corpusa',
      perClass: { train: 6, validation: 3, test: 2 },
      seed: 1,
    }),
    await writeSyntheticStore(join(root.dir, 'b'), {
      corpus: 'corpusb',
      perClass: { train: 4, validation: 2 },
      seed: 2,
    }),
  ];
  unlabelled = await writeSyntheticStore(join(root.dir, 'u'), {
    corpus: 'librispeech',
    perClass: { unsplit: 4 },
    seed: 3,
  });
});
afterAll(() => root.cleanup());

const recipe = { ...fullRecipe, classWeights: 'balanced' as const, batchSize: 8, patience: 0 };
const trainParams: TrainParams = {
  ...recipe,
  strategy: 'frozen',
  structure: { name: 'ser-test-tiny', params: {} },
  classes: null,
  lstmUnits: 8,
  hiddenUnits: 6,
  epochs: 3,
  learningRate: 0.01,
  minFrames: 16,
  maxFrames: 64,
  padMultiple: 4,
  lstmImpl: 'auto',
};

/** Runs a stage directly in `dir`, and returns its outputs as artifacts hashed like the cache does. */
async function runStage<P>(
  dir: string,
  stage: StageDefinition<P>,
  id: string,
  params: P,
  inputs: { [name: string]: Artifact | Artifact[] },
) {
  const outputs = Object.fromEntries(Object.keys(stage.outputs).map((name) => [name, join(dir, id, name)]));
  for (const path of [...Object.values(outputs), join(dir, id, 'work')])
    await mkdir(path, { recursive: true });
  const ctx = testContext<P>({ id, params, inputs, outputs, workDir: join(dir, id, 'work'), seed: 7 });
  await stage.run(ctx);
  const produced: { [name: string]: Artifact } = {};
  const hashes: { [output: string]: { [file: string]: string } } = {};
  for (const [name, path] of Object.entries(outputs)) {
    hashes[`${id}.${name}`] = await fileHashes(path);
    const hash = createHash('sha256')
      .update(JSON.stringify(hashes[`${id}.${name}`]))
      .digest('hex');
    produced[name] = { ...artifact(path, stage.outputs[name]!.type, ['corpusa', 'corpusb'], id), hash };
  }
  return { ctx, produced, hashes };
}

async function pipeline(dir: string) {
  const ae = await runStage(
    dir,
    pretrain,
    'ae',
    {
      structure: 'ser-test-tiny',
      structureParams: {},
      sparsity: 0.01,
      learningRate: 0.01,
      batchSize: 4,
      epochs: 2,
      patience: 3,
      minDelta: 0,
      validationFraction: 0.25,
      minFrames: 16,
      maxFrames: 48,
      padMultiple: 4,
      samples: 1,
    },
    { features: [unlabelled] },
  );
  const frozen = await runStage(dir, train, 'ser_frozen', trainParams, {
    data,
    encoder: ae.produced.encoder!,
  });
  const tuned = await runStage(
    dir,
    finetune,
    'ser_finetune',
    { ...recipe, epochs: 2, learningRate: 0.005, selection: { metric: 'ua_corpus_mean', minEpochs: 1 } },
    {
      model: frozen.produced.model!,
      data,
    },
  );
  const predicted = await runStage(
    dir,
    predict,
    'predict_finetune',
    { splits: ['test'], batchSize: 4 },
    {
      model: tuned.produced.model!,
      features: data,
    },
  );
  return {
    ae,
    frozen,
    tuned,
    predicted,
    hashes: { ...ae.hashes, ...frozen.hashes, ...tuned.hashes, ...predicted.hashes },
  };
}

describe('model stages', () => {
  it('give byte-identical outputs when run twice with the same seed, and fine-tuning continues the frozen model', async () => {
    const first = await pipeline(join(root.dir, 'run1'));
    const second = await pipeline(join(root.dir, 'run2'));
    expect(Object.keys(first.hashes).sort()).toEqual([
      'ae.encoder',
      'ae.reconstruction',
      'predict_finetune.predictions',
      'ser_finetune.model',
      'ser_frozen.model',
    ]);
    for (const [output, files] of Object.entries(first.hashes))
      expect(second.hashes[output], output).toEqual(files);

    // ser:finetune started from ser_frozen's selected weights: its starting validation scores are
    // exactly the frozen model's at its kept epoch, and its own epochs are numbered from 1.
    const read = async (a: Artifact, file: string) => JSON.parse(await readFile(join(a.path, file), 'utf8'));
    const frozenHistory = await read(first.frozen.produced.model!, 'history.json');
    const tunedHistory = await read(first.tuned.produced.model!, 'history.json');
    const kept = frozenHistory.epochs[frozenHistory.bestEpoch - 1];
    expect(tunedHistory.start.val_ua).toBe(kept.val_ua);
    expect(tunedHistory.start.val_loss).toBeCloseTo(kept.val_loss, 6);
    expect(tunedHistory.epochs.map((e: { epoch: number }) => e.epoch)).toEqual([1, 2]);
    const config = await read(first.tuned.produced.model!, 'config.json');
    expect(config).toMatchObject({ strategy: 'finetune', initialModel: first.frozen.produced.model!.hash });
    // the encoder was unfrozen: its weights (first in weights.bin) moved away from the frozen model's
    const weights = async (a: Artifact) =>
      new Float32Array((await readFile(join(a.path, 'weights.bin'))).buffer.slice(0));
    const before = await weights(first.frozen.produced.model!);
    const after = await weights(first.tuned.produced.model!);
    const encoderSize = (await weights(first.ae.produced.encoder!)).length;
    const moved = before.subarray(0, encoderSize).some((v, i) => Math.abs(v - after[i]!) > 1e-6);
    expect(moved).toBe(true);
  }, 180_000);
});
