import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Artifact } from '@serx/core';
import { buildStructure, writeEncoderArtifact } from '@serx/stage-autoencoder';
import { weightsUnderDecay } from '@serx/training';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifact,
  CLASSES,
  fileHashes,
  fullRecipe,
  tf as loadTf,
  NUM_CEPS,
  plainRecipe,
  tempDir,
  testContext,
  writeSyntheticStore,
} from '../../test/helpers.ts';
import { assembleCnnLstm, encoderOf } from '../model/cnn-lstm.ts';
import { loadTrainedModel } from '../model/config.ts';
import { WEIGHT_DECAY_ON_DEFAULT } from './recipe-params.ts';
import { train } from './train.ts';
import type { TrainParams } from './train-params.ts';

/** `node --import` this to run a TypeScript script through core's loader (src/loader/import.mjs). */
const TYPESCRIPT = createRequire(import.meta.url).resolve('@serx/core/typescript/import');

const base: TrainParams = {
  strategy: 'scratch',
  structure: { name: 'ser-test-tiny', params: {} },
  classes: null,
  lstmUnits: 8,
  hiddenUnits: 6,
  epochs: 3,
  batchSize: 8,
  learningRate: 0.01,
  patience: 0,
  classWeights: 'none',
  ...plainRecipe,
  minFrames: 16,
  maxFrames: 64,
  padMultiple: 1,
  lstmImpl: 'auto',
};

let root: Awaited<ReturnType<typeof tempDir>>;
let data: Artifact[];
let tf: Awaited<ReturnType<typeof loadTf>>;
let n = 0;

beforeAll(async () => {
  tf = await loadTf();
  root = await tempDir();
  data = [
    await writeSyntheticStore(join(root.dir, 'a'), {
      corpus: 'corpusa',
      perClass: { train: 8, validation: 3, test: 2 },
      seed: 1,
    }),
    await writeSyntheticStore(join(root.dir, 'b'), {
      corpus: 'corpusb',
      perClass: { train: 6, validation: 3 },
      seed: 2,
    }),
  ];
});
afterAll(() => root.cleanup());

async function runTrain(
  params: Partial<TrainParams>,
  extra: {
    workDir?: string;
    encoder?: Artifact;
    heldOut?: string[];
    data?: Artifact[];
    abortAfterEpoch?: number;
    seed?: number;
  } = {},
) {
  const out = join(root.dir, `out-${n++}`);
  const controller = new AbortController();
  const ctx = testContext<TrainParams, typeof train.inputs>({
    params: { ...base, ...params },
    inputs: { data: extra.data ?? data, ...(extra.encoder ? { encoder: extra.encoder } : {}) },
    outputs: { model: out },
    workDir: extra.workDir ?? join(root.dir, `work-${n}`),
    heldOut: extra.heldOut ?? [],
    ...(extra.seed ? { seed: extra.seed } : {}),
    signal: controller.signal,
    onMetric: (name, _v, step) => {
      if (name === 'val_wa' && step === extra.abortAfterEpoch) controller.abort(new Error('killed'));
    },
  });
  const result = await train.run(ctx);
  return { ctx, result, out };
}

async function weightsOf(dir: string, file = 'weights.bin'): Promise<Float32Array> {
  const bytes = await readFile(join(dir, file));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

const maxDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);

describe('ser:train', () => {
  it('trains from scratch, reports per-epoch metrics and writes model, config and history', async () => {
    const { ctx, result, out } = await runTrain({});
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      strategy: 'scratch',
      classes: CLASSES,
      numCeps: NUM_CEPS,
      timeStride: 2,
      trainCorpora: ['corpusa', 'corpusb'],
    });
    expect(config.counts).toEqual({ train: 42, validation: 18, unlabelledSkipped: 0 });
    const history = JSON.parse(await readFile(join(out, 'history.json'), 'utf8'));
    expect(history.epochs.map((e: { epoch: number }) => e.epoch)).toEqual([1, 2, 3]);
    const valUa = ctx.recorded.metrics.filter((m) => m.name === 'val_ua');
    expect(valUa.map((m) => m.step)).toEqual([1, 2, 3]);
    for (const name of ['loss', 'train_ua', 'train_wa', 'val_loss', 'val_wa']) {
      expect(ctx.recorded.metrics.filter((m) => m.name === name)).toHaveLength(3);
    }
    const best = Math.max(...valUa.map((m) => m.value));
    expect(history).toMatchObject({ format: 'serx-history/1', monitor: { key: 'val_ua', mode: 'max' } });
    expect(Object.keys(history.epochs[0]).sort()).toEqual([
      'epoch',
      'loss',
      'lr',
      'train_ua',
      'train_wa',
      'val_loss',
      'val_ua',
      'val_ua_by_corpus',
      'val_ua_corpus_mean',
      'val_wa',
    ]);
    const kept = history.epochs[config.bestEpoch - 1];
    expect(kept.val_ua).toBe(best);
    expect(kept.val_ua_corpus_mean).toBeCloseTo(
      (kept.val_ua_by_corpus.corpusa + kept.val_ua_by_corpus.corpusb) / 2,
      12,
    );
    expect(best).toBeGreaterThan(0.6); // separable synthetic classes; chance is 1/3
    expect(result?.metrics?.best_val_ua).toBe(best);
    expect(ctx.recorded.metrics.filter((m) => m.name === 'epoch_seconds')).toHaveLength(3);
    expect(ctx.recorded.progress[0]).toEqual({ total: 6, label: 'epoch 1/3' });
    expect(ctx.recorded.progress[1]?.label).toMatch(/^epoch 2\/3, ETA ≤ \d+s$/);
    const { model, config: loaded } = await loadTrainedModel(tf, out);
    expect(loaded.classes).toEqual(CLASSES);
    expect(model.outputs.map((o) => o.shape)).toEqual([
      [null, 3],
      [null, 6],
    ]);
  });

  it('stops early once validation UA has not improved for `patience` epochs, keeping the best epoch', async () => {
    // a large step makes the tiny model's validation UA wander, so it stops early
    const { out, ctx } = await runTrain({ epochs: 12, patience: 1, learningRate: 0.1 });
    const history = JSON.parse(await readFile(join(out, 'history.json'), 'utf8'));
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(history.stoppedEarly).toBe(true);
    expect(config.epochsRun).toBeLessThan(12);
    expect(config.epochsRun).toBe(config.bestEpoch + 1);
    const epochs = history.epochs as { val_ua: number; val_loss: number }[];
    const kept = epochs[config.bestEpoch - 1]!;
    // the kept epoch has the best UA, and the lowest validation loss among epochs with that UA
    expect(Math.max(...epochs.map((e) => e.val_ua))).toBe(kept.val_ua);
    for (const e of epochs)
      if (e.val_ua === kept.val_ua) expect(e.val_loss).toBeGreaterThanOrEqual(kept.val_loss);
    expect(ctx.recorded.metrics.filter((m) => m.name === 'val_ua')).toHaveLength(config.epochsRun);
  });

  it('is deterministic for a seed, and a killed run resumes to the same model', async () => {
    const first = await runTrain({});
    const again = await runTrain({});
    expect(maxDiff(await weightsOf(first.out), await weightsOf(again.out))).toBe(0);

    const workDir = join(root.dir, 'resume-work');
    await expect(runTrain({}, { workDir, abortAfterEpoch: 1 })).rejects.toThrow('killed');
    const resumed = await runTrain({}, { workDir });
    expect(resumed.ctx.recorded.logs).toContain('resuming after epoch 1 from a checkpoint');
    expect(resumed.ctx.recorded.metrics.filter((m) => m.name === 'val_ua').map((m) => m.step)).toEqual([
      2, 3,
    ]);
    expect(maxDiff(await weightsOf(first.out), await weightsOf(resumed.out))).toBe(0);
  });

  it('resumes after a SIGKILL mid-training to the same model as an uninterrupted run', async () => {
    const params = { ...base, epochs: 5 };
    const workDir = join(root.dir, 'sigkill-work');
    // `node --import <core's TypeScript loader>`: the script in this child, where the kill reaches it.
    const args = JSON.stringify({ params, data, workDir, out: join(root.dir, 'sigkill-child-out') });
    const child = spawn(
      process.execPath,
      ['--import', TYPESCRIPT, join(import.meta.dirname, '../../test/train-child.ts'), args],
      {
        cwd: join(import.meta.dirname, '../..'),
        stdio: 'ignore',
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    while (!existsSync(join(workDir, 'checkpoint', 'state.json')) && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(() => process.kill(child.pid as number, 0)).toThrow(); // really gone
    const resumed = await runTrain(params, { workDir });
    const after = resumed.ctx.recorded.logs.find((l) => l.startsWith('resuming after epoch'));
    expect(after).toMatch(/^resuming after epoch [1-4] from a checkpoint$/);
    const uninterrupted = await runTrain(params);
    expect(maxDiff(await weightsOf(uninterrupted.out), await weightsOf(resumed.out))).toBe(0);
  }, 60_000);

  it('keeps a pretrained encoder frozen', async () => {
    const built = buildStructure(
      tf,
      { name: 'ser-test-tiny' },
      { numCeps: NUM_CEPS, seed: 9, decoder: true },
    );
    const encDir = join(root.dir, 'encoder');
    await writeEncoderArtifact(tf, encDir, built, NUM_CEPS, { epochs: [] });
    const encoder = artifact(encDir, 'encoder', ['librispeech'], 'ae');
    const pretrained = await weightsOf(encDir);

    const frozen = await runTrain({ strategy: 'frozen', epochs: 1, ...fullRecipe }, { encoder });
    const frozenWeights = await weightsOf(frozen.out);
    // The encoder's weights come first in the CNN-LSTM's weights, unchanged (no decay, no dropout
    // noise reaches frozen weights); the rest trained.
    expect(maxDiff(frozenWeights.subarray(0, pretrained.length), pretrained)).toBe(0);
    expect(frozenWeights.length).toBeGreaterThan(pretrained.length);
  });

  it('trains with every regulariser on, byte-for-byte the same twice (no timings in any output)', async () => {
    const params = { ...fullRecipe, classWeights: 'balanced' as const, epochs: 3 };
    const a = await runTrain(params);
    const b = await runTrain(params);
    const hashesA = await fileHashes(a.out);
    expect(Object.keys(hashesA).sort()).toEqual(['config.json', 'history.json', 'model.json', 'weights.bin']);
    expect(await fileHashes(b.out)).toEqual(hashesA);
    const history = JSON.parse(await readFile(join(a.out, 'history.json'), 'utf8'));
    expect(JSON.stringify(history)).not.toMatch(/seconds|time|date|host/i);
    // plateau schedule and minEpochs 2: epoch 1 is never the kept one
    expect(history.bestEpoch).toBeGreaterThanOrEqual(2);
    expect(history.monitor.key).toBe('val_ua_corpus_mean');
    const config = JSON.parse(await readFile(join(a.out, 'config.json'), 'utf8'));
    expect(config.dropout).toEqual(fullRecipe.dropout);
    expect(config.classWeights).toHaveLength(3);
    // a different seed trains a different model
    const other = await runTrain(params, { seed: 2 });
    expect((await fileHashes(other.out))['weights.bin']).not.toBe(hashesA['weights.bin']);
  });

  it('decays every kernel by default, the LSTM recurrent kernel included (what /kernel$/ took), and refuses a weight name the model lacks', async () => {
    const built = buildStructure(
      tf,
      { name: 'ser-test-tiny' },
      { numCeps: NUM_CEPS, seed: 3, decoder: false },
    );
    let k = 0;
    const model = assembleCnnLstm(
      tf,
      built.encoder,
      { lstmUnits: 4, hiddenUnits: 3, classes: CLASSES, lstmImpl: 'auto' },
      {
        numCeps: NUM_CEPS,
        timeStride: built.timeStride,
        initializer: () => tf.initializers.glorotUniform({ seed: 5 + k++ }),
      },
    );
    const names = (ws: { originalName: string }[]) => ws.map((w) => w.originalName);
    const counts: number[] = [];
    for (const trainEncoder of [true, false]) {
      encoderOf(model).trainable = trainEncoder;
      const task = { weights: model.weights, trainable: model.trainableWeights };
      const decayed = names(weightsUnderDecay(task, WEIGHT_DECAY_ON_DEFAULT));
      expect(decayed).toEqual(names(task.trainable.filter((w) => /kernel$/.test(w.originalName))));
      expect(decayed.filter((n) => n.endsWith('/recurrent_kernel'))).toHaveLength(1);
      counts.push(decayed.length);
    }
    // a frozen encoder's conv kernels are not trained, so not decayed either
    expect(counts[1]).toBeLessThan(counts[0] as number);
    encoderOf(model).trainable = true;
    model.dispose();
    await expect(runTrain({ weightDecayOn: ['kernel', 'gamma'] })).rejects.toMatchObject({
      code: 'SPEC_PARAMS',
      message: expect.stringContaining("weightDecayOn: 'gamma' names no weight of the model"),
    });
  });

  it('refuses held-out corpora and a frozen strategy without an encoder', async () => {
    const tess = await writeSyntheticStore(join(root.dir, 'tess'), {
      corpus: 'tess',
      perClass: { test: 2 },
      seed: 3,
    });
    await expect(
      runTrain({}, { data: [data[0] as Artifact, tess], heldOut: ['tess'] }),
    ).rejects.toMatchObject({
      code: 'HELD_OUT_DATA',
      message: expect.stringContaining("held-out corpus 'tess'"),
    });
    // Rows give it away even when the lineage does not.
    const disguised = { ...(data[0] as Artifact), corpora: ['other'] };
    await expect(runTrain({}, { data: [disguised], heldOut: ['corpusa'] })).rejects.toMatchObject({
      code: 'HELD_OUT_DATA',
    });
    await expect(runTrain({ strategy: 'frozen' })).rejects.toMatchObject({ code: 'SPEC_INPUT_MISSING' });
  });

  it('refuses a functionals store (one row per utterance): a CNN-LSTM reads frames', async () => {
    const functionals = { ...(data[0] as Artifact), producer: 'egemaps_a', meta: { level: 'functionals' } };
    await expect(runTrain({}, { data: [functionals] })).rejects.toMatchObject({
      code: 'INPUT_DATA',
      message: expect.stringContaining("'egemaps_a' holds functionals (one row per utterance)"),
    });
  });
});
