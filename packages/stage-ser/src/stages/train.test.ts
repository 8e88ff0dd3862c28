import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifact } from '@serx/core';
import { buildStructure, writeEncoderArtifact } from '@serx/stage-autoencoder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifact,
  CLASSES,
  tf as loadTf,
  NUM_CEPS,
  tempDir,
  testContext,
  writeSyntheticStore,
} from '../../test/helpers.ts';
import { loadTrainedModel } from '../model/config.ts';
import { train } from './train.ts';
import type { TrainParams } from './train-params.ts';

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
  finetuneEpochs: 1,
  finetuneLearningRate: 0.001,
  classWeights: 'none',
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
  } = {},
) {
  const out = join(root.dir, `out-${n++}`);
  const controller = new AbortController();
  const ctx = testContext<TrainParams>({
    params: { ...base, ...params },
    inputs: { data: extra.data ?? data, ...(extra.encoder ? { encoder: extra.encoder } : {}) },
    outputs: { model: out },
    workDir: extra.workDir ?? join(root.dir, `work-${n}`),
    heldOut: extra.heldOut ?? [],
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
    expect(config.bestValUa).toBe(best);
    expect(history.epochs[config.bestEpoch - 1].valUa).toBe(best);
    expect(best).toBeGreaterThan(0.6); // separable synthetic classes; chance is 1/3
    expect(result?.metrics?.best_val_ua).toBe(best);
    expect(ctx.recorded.progress[0]).toEqual({ total: 6, label: 'epoch 1 (train 1/3)' });
    expect(ctx.recorded.progress[1]?.label).toMatch(/^epoch 2 \(train 2\/3\), ≤ \dm\d\ds left$/);
    const { model, config: loaded } = await loadTrainedModel(tf, out);
    expect(loaded.classes).toEqual(CLASSES);
    expect(model.outputs.map((o) => o.shape)).toEqual([
      [null, 3],
      [null, 6],
    ]);
  });

  it('stops early once validation UA has not improved for `patience` epochs, keeping the best epoch', async () => {
    const { out, ctx } = await runTrain({ epochs: 12, patience: 1 });
    const history = JSON.parse(await readFile(join(out, 'history.json'), 'utf8'));
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config.epochsRun).toBeLessThan(12);
    expect(config.epochsRun).toBe(config.bestEpoch + 1);
    const uas = history.epochs.map((e: { valUa: number }) => e.valUa);
    expect(Math.max(...uas)).toBe(uas[config.bestEpoch - 1]);
    expect(uas[config.epochsRun - 1]).toBeLessThanOrEqual(uas[config.bestEpoch - 1]);
    expect(ctx.recorded.metrics.filter((m) => m.name === 'val_ua')).toHaveLength(config.epochsRun);
  });

  it('is deterministic for a seed, and a killed run resumes to the same model', async () => {
    const first = await runTrain({});
    const again = await runTrain({});
    expect(maxDiff(await weightsOf(first.out), await weightsOf(again.out))).toBeLessThan(1e-6);

    const workDir = join(root.dir, 'resume-work');
    await expect(runTrain({}, { workDir, abortAfterEpoch: 1 })).rejects.toThrow('killed');
    const resumed = await runTrain({}, { workDir });
    expect(resumed.ctx.recorded.logs).toContain('resuming after epoch 1 from a checkpoint');
    expect(resumed.ctx.recorded.metrics.filter((m) => m.name === 'val_ua').map((m) => m.step)).toEqual([
      2, 3,
    ]);
    expect(maxDiff(await weightsOf(first.out), await weightsOf(resumed.out))).toBeLessThan(1e-5);
  });

  it('resumes after a SIGKILL mid-training to the same model as an uninterrupted run', async () => {
    const params = { ...base, epochs: 5 };
    const workDir = join(root.dir, 'sigkill-work');
    // `node --import tsx` (not the tsx CLI, which would run the script in a grandchild the kill misses).
    const args = JSON.stringify({ params, data, workDir, out: join(root.dir, 'sigkill-child-out') });
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, '../../test/train-child.ts'), args],
      {
        cwd: join(import.meta.dirname, '../..'),
        stdio: 'ignore',
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    while (!existsSync(join(workDir, 'checkpoint.json')) && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(() => process.kill(child.pid as number, 0)).toThrow(); // really gone
    const resumed = await runTrain(params, { workDir });
    const after = resumed.ctx.recorded.logs.find((l) => l.startsWith('resuming after epoch'));
    expect(after).toMatch(/^resuming after epoch [1-4] from a checkpoint$/);
    const uninterrupted = await runTrain(params);
    expect(maxDiff(await weightsOf(uninterrupted.out), await weightsOf(resumed.out))).toBeLessThan(1e-5);
  }, 60_000);

  it('keeps a pretrained encoder frozen, and unfreezes it to fine-tune', async () => {
    const built = buildStructure(
      tf,
      { name: 'ser-test-tiny' },
      { numCeps: NUM_CEPS, seed: 9, decoder: true },
    );
    const encDir = join(root.dir, 'encoder');
    await writeEncoderArtifact(tf, encDir, built, NUM_CEPS, { epochs: [] });
    const encoder = artifact(encDir, 'encoder', ['librispeech'], 'ae');
    const pretrained = await weightsOf(encDir);

    const frozen = await runTrain({ strategy: 'frozen', epochs: 1 }, { encoder });
    const frozenWeights = await weightsOf(frozen.out);
    // The encoder's weights come first in the CNN-LSTM's weights, unchanged; the rest trained.
    expect(maxDiff(frozenWeights.subarray(0, pretrained.length), pretrained)).toBe(0);
    expect(frozenWeights.length).toBeGreaterThan(pretrained.length);

    const workDir = join(root.dir, 'finetune-work');
    const tuned = await runTrain(
      { strategy: 'finetune', epochs: 1, finetuneEpochs: 1 },
      { encoder, workDir },
    );
    const history = JSON.parse(await readFile(join(tuned.out, 'history.json'), 'utf8'));
    expect(history.epochs.map((e: { phase: string }) => e.phase)).toEqual(['train', 'finetune']);
    // The last checkpoint holds the weights after the fine-tuning epoch: the encoder moved.
    const { dir } = JSON.parse(await readFile(join(workDir, 'checkpoint.json'), 'utf8'));
    const last = await weightsOf(join(workDir, dir), 'model.bin');
    expect(maxDiff(last.subarray(0, pretrained.length), pretrained)).toBeGreaterThan(1e-4);
    // Phase 1 of fine-tuning is the frozen training.
    expect(history.epochs[0].valUa).toBe(
      JSON.parse(await readFile(join(frozen.out, 'history.json'), 'utf8')).epochs[0].valUa,
    );
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
});
