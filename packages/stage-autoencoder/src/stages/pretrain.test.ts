import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tensor } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { featuresArtifact, testContext } from '../../test/context.ts';
import { stageParams } from '../../test/pretrain-params.ts';
import { writeSyntheticStore } from '../../test/synthetic-store.ts';
import { tf } from '../../test/tf.ts';
import { loadEncoder } from '../encoder-artifact.ts';
import { registerBuiltinStructures } from '../structures/builtin.ts';
import { pretrain } from './pretrain.ts';

/** `node --import` this to run a TypeScript script through core's loader (src/loader/import.mjs). */
const TYPESCRIPT = createRequire(import.meta.url).resolve('@serx/core/typescript/import');

let store: string;
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

beforeAll(async () => {
  registerBuiltinStructures();
  store = join(mkdtempSync(join(tmpdir(), 'serx-ae-')), 'store');
  await writeSyntheticStore(store, { utterances: 14, dims: 8, minFrames: 15, maxFrames: 50, seed: 1 });
});

async function runStage(
  extra: Partial<Parameters<typeof testContext<unknown, typeof pretrain.inputs>>[1]> = {},
) {
  const { ctx, recorded } = testContext(pretrain, {
    params: stageParams,
    inputs: { features: [featuresArtifact(store)] },
    ...extra,
  });
  const result = await pretrain.run(ctx);
  return { ctx, recorded, result: result! };
}

describe('autoencoder:pretrain', () => {
  it('writes the encoder artifact, curves, Figure 2 samples and the held-out MSE', async () => {
    const { ctx, recorded, result } = await runStage();
    const enc = ctx.outputs.encoder!;
    const structure = readJson(join(enc, 'structure.json'));
    expect(structure).toEqual({
      name: 'parry-cnn',
      params: {
        conv: [{ filters: 2, kernelSize: [3, 3], strides: [2, 2] }],
        units: 6,
        activation: 'relu',
        bottleneckActivation: 'relu',
      },
      numCeps: 8,
      timeStride: 2,
      units: 6,
    });
    expect(readJson(join(enc, 'model.json')).format).toBe('layers-model');
    expect(readJson(join(enc, 'decoder', 'model.json')).weightsManifest[0].paths).toEqual(['weights.bin']);
    const history = readJson(join(enc, 'history.json'));
    expect(history.epochs.map((e: { epoch: number }) => e.epoch)).toEqual([1, 2, 3]);

    const metrics = readJson(join(ctx.outputs.reconstruction!, 'metrics.json'));
    const best = history.epochs[history.bestEpoch - 1];
    expect(metrics.slice).toBe('held-out');
    expect(metrics.utterances).toBe(4); // round(14 × 0.25)
    expect(metrics.mse).toBeCloseTo(best.val_mse, 6);
    expect(result.metrics!.reconstruction_mse).toBe(metrics.mse);

    const { numCeps, samples } = readJson(join(ctx.outputs.reconstruction!, 'samples.json'));
    expect(numCeps).toBe(8);
    expect(samples).toHaveLength(2);
    expect(samples[0].input).toHaveLength(samples[0].frames);
    expect(samples[0].output[0]).toHaveLength(8);

    expect(recorded.metrics.filter((m) => m.name === 'val_loss').map((m) => m.step)).toEqual([1, 2, 3]);
    expect(recorded.progress[0]).toEqual({ total: 3, label: 'epoch 1/3' }); // 10 training utterances / 4
    expect(recorded.progress[1]!.label).toMatch(/^epoch 2\/3, ETA ≤ \d+s$/);
    expect(recorded.ticks).toBe(9);

    // The artifact reloads into the registered structure and reproduces the stored reconstruction.
    const loaded = await loadEncoder(tf, enc, { decoder: true });
    const s = samples[0];
    const padded = Math.ceil(Math.max(20, s.frames) / 2) * 2;
    const x = tf
      .tensor(s.input.flat())
      .reshape([1, s.frames, 8, 1])
      .pad([
        [0, 0],
        [0, padded - s.frames],
        [0, 0],
        [0, 0],
      ]);
    const recon = loaded.decoder!.predict(loaded.encoder.predict(x) as Tensor) as Tensor;
    const got = recon.slice([0, 0, 0], [1, s.frames, 8]).arraySync() as number[][][];
    for (const [t, row] of got[0]!.entries())
      for (const [c, v] of row.entries()) expect(v).toBeCloseTo(s.output[t][c], 5);
  });

  it('resumes after a SIGKILL from the epoch-1 checkpoint and ends where an uninterrupted run ends', async () => {
    const uninterrupted = await runStage();
    const workDir = mkdtempSync(join(tmpdir(), 'serx-ae-kill-'));
    const child = spawn(
      process.execPath,
      ['--import', TYPESCRIPT, join(import.meta.dirname, '../../test/pretrain-child.ts'), store, workDir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('checkpointed') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited (${code}) before its first checkpoint`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    expect(readJson(join(workDir, 'checkpoint', 'state.json')).epoch).toBe(1);

    const resumed = await runStage({ workDir });
    expect(resumed.recorded.logs).toContain('resuming from the checkpoint after epoch 1');
    expect(resumed.recorded.metrics.filter((m) => m.name === 'loss').map((m) => m.step)).toEqual([2, 3]);
    const a = readJson(join(uninterrupted.ctx.outputs.encoder!, 'history.json'));
    const b = readJson(join(resumed.ctx.outputs.encoder!, 'history.json'));
    // no timings in the history: a resumed run's is identical to an uninterrupted run's
    expect(b).toEqual(a);
    // bit for bit (issue 24 point 6)
    expect(resumed.result.metrics!.reconstruction_mse).toBe(uninterrupted.result.metrics!.reconstruction_mse);
  }, 120_000);

  it('refuses rows of a held-out corpus, naming the index line', async () => {
    await expect(runStage({ heldOut: ['synthetic'] })).rejects.toMatchObject({
      code: 'HELD_OUT_DATA',
      message: expect.stringMatching(
        /index\.jsonl:1: row of held-out corpus 'synthetic' reached pretraining/,
      ),
    });
  });

  it('names the registered structures when the spec asks for an unknown one', async () => {
    const { ctx } = testContext(pretrain, {
      params: { ...stageParams, structure: 'resnet' },
      inputs: { features: [featuresArtifact(store)] },
    });
    await expect(pretrain.run(ctx)).rejects.toMatchObject({
      code: 'autoencoder:ENCODER_STRUCTURE_UNKNOWN',
      message: expect.stringContaining('registered structures: parry-cnn, temporal-conv1d'),
    });
  });
});
