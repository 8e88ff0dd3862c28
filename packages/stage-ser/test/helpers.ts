import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Artifact, InputSpecs, Json, StageContext, StageInputs } from '@serx/core';
import { mulberry32 as createRng } from '@serx/core';
import { defineEncoderStructure, registerEncoderStructure } from '@serx/stage-autoencoder';
import { type FeatureRowInput, FeatureStoreWriter } from '@serx/stage-features';
import { loadTensorflow } from '@serx/tf-backend';
import type { SymbolicTensor } from '@tensorflow/tfjs';
import { train } from '../src/stages/train.ts';
import type { TrainParams } from '../src/stages/train-params.ts';

/** A tiny encoder structure (one strided conv + dense bottleneck) so tests train in seconds. */
export const tinyStructure = defineEncoderStructure<{ filters: number; units: number }>({
  name: 'ser-test-tiny',
  description: 'test: one 3x3 conv, stride 2 in time and cepstrum, dense bottleneck',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: { filters: { type: 'integer', default: 4 }, units: { type: 'integer', default: 8 } },
  },
  timeStride: () => 2,
  buildEncoder(tf, p, ctx) {
    const input = tf.input({ shape: [null, ctx.numCeps, 1] });
    let x = tf.layers
      .conv2d({
        filters: p.filters,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: ctx.kernelInitializer(),
      })
      .apply(input) as SymbolicTensor;
    x = tf.layers
      .reshape({ targetShape: [-1, Math.ceil(ctx.numCeps / 2) * p.filters] })
      .apply(x) as SymbolicTensor;
    x = tf.layers
      .dense({ units: p.units, activation: 'relu', kernelInitializer: ctx.kernelInitializer() })
      .apply(x) as SymbolicTensor;
    return tf.model({ inputs: input, outputs: x, name: 'encoder' });
  },
  buildDecoder(tf, p, ctx) {
    const input = tf.input({ shape: [null, p.units] });
    const up = tf.layers
      .dense({ units: 2 * ctx.numCeps, kernelInitializer: ctx.kernelInitializer() })
      .apply(input) as SymbolicTensor;
    const out = tf.layers.reshape({ targetShape: [-1, ctx.numCeps] }).apply(up) as SymbolicTensor;
    return tf.model({ inputs: input, outputs: out, name: 'decoder' });
  },
});
registerEncoderStructure(tinyStructure);

export const NUM_CEPS = 6;
export const CLASSES = ['negative', 'neutral', 'positive'];

export async function tf() {
  return (await loadTensorflow({ threads: 1 })).tf;
}

export async function tempDir(prefix = 'serx-ser-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface SyntheticCorpus {
  corpus: string;
  /** Utterances per (split, class); split `unsplit` writes `split: null`. */
  perClass: { [split: string]: number };
  seed: number;
  minFrames?: number;
  maxFrames?: number;
}

/**
 * Writes a feature store of a synthetic corpus whose classes are separable: class k raises every
 * third cepstral coefficient starting at k, on top of unit Gaussian-ish noise.
 */
export async function writeSyntheticStore(dir: string, spec: SyntheticCorpus): Promise<Artifact> {
  const rng = createRng(spec.seed);
  const writer = await FeatureStoreWriter.create(dir, { dims: NUM_CEPS, meta: { synthetic: true } });
  let n = 0;
  for (const [split, count] of Object.entries(spec.perClass)) {
    for (let i = 0; i < count; i++) {
      for (const [k, cls] of CLASSES.entries()) {
        const frames =
          (spec.minFrames ?? 20) + Math.floor(rng() * ((spec.maxFrames ?? 40) - (spec.minFrames ?? 20)));
        const data = new Float32Array(frames * NUM_CEPS);
        for (let f = 0; f < frames; f++) {
          for (let c = 0; c < NUM_CEPS; c++)
            data[f * NUM_CEPS + c] = (rng() + rng() + rng() - 1.5) * 2 + (c % 3 === k ? 1.2 : 0);
        }
        const row: FeatureRowInput = {
          id: `${spec.corpus}-${n++}`,
          corpus: spec.corpus,
          speaker: `${split}-s${i % 2}`,
          label: cls,
          class: cls,
          split: split === 'unsplit' ? null : split,
        };
        await writer.append(row, data);
      }
    }
  }
  await writer.close();
  return artifact(dir, 'features', [spec.corpus], `mfcc_${spec.corpus}`);
}

export function artifact(
  path: string,
  type: string,
  corpora: string[],
  producer: string,
  meta: { [k: string]: Json } = {},
): Artifact {
  return { path, type, hash: `hash-of-${producer}`, producer, meta, corpora };
}

export interface RecordedContext<P, I extends InputSpecs = InputSpecs> extends StageContext<P, I> {
  recorded: {
    metrics: { name: string; value: number; step?: number }[];
    logs: string[];
    progress: { total: number; label?: string }[];
  };
}

/** A StageContext for calling a stage's `run` directly, recording metrics, logs and progress. */
export function testContext<P, I extends InputSpecs = InputSpecs>(init: {
  id?: string;
  params: P;
  inputs: StageInputs<I>;
  outputs: { [name: string]: string };
  workDir: string;
  seed?: number;
  heldOut?: string[];
  signal?: AbortSignal;
  onMetric?: (name: string, value: number, step?: number) => void;
  /** After every progress tick, with the ticks so far (e.g. to abort at a chosen batch). */
  onTick?: (ticks: number) => void;
}): RecordedContext<P, I> {
  let ticks = 0;
  const recorded: RecordedContext<P, I>['recorded'] = { metrics: [], logs: [], progress: [] };
  return {
    id: init.id ?? 'ser_test',
    params: init.params,
    inputs: init.inputs,
    outputs: init.outputs,
    workDir: init.workDir,
    seed: init.seed ?? 1,
    threads: 1,
    heldOut: init.heldOut ?? [],
    signal: init.signal ?? new AbortController().signal,
    log: {
      debug: () => {},
      info: (m) => recorded.logs.push(m),
      warn: (m) => recorded.logs.push(`warn: ${m}`),
    },
    progress: {
      total: (total, label) => recorded.progress.push({ total, ...(label ? { label } : {}) }),
      tick: (units = 1) => {
        ticks += units;
        init.onTick?.(ticks);
      },
    },
    metrics: {
      metric: (name, value, step) => {
        recorded.metrics.push({ name, value, ...(step === undefined ? {} : { step }) });
        init.onMetric?.(name, value, step);
      },
      tag: () => {},
      artifact: () => {},
    },
    recorded,
  };
}

/**
 * The recipe params of `ser:train` / `ser:finetune` with every regulariser off, constant LR,
 * unweighted classes, pooled UA selection from epoch 1: the plain recipe tests start from.
 */
export const plainRecipe = {
  dropout: { conv: 0, lstmInput: 0, lstmRecurrent: 0, dense: 0 },
  weightDecay: 0,
  weightDecayOn: ['kernel', 'recurrent_kernel'],
  specAugment: false as const,
  clipNorm: 0,
  lrSchedule: { kind: 'constant' as const },
  selection: { metric: 'ua' as const, minEpochs: 1 },
};

/** Every regulariser on (small values), for tests that must exercise them all. */
export const fullRecipe = {
  dropout: { conv: 0.2, lstmInput: 0.2, lstmRecurrent: 0.2, dense: 0.3 },
  weightDecay: 0.001,
  weightDecayOn: ['kernel', 'recurrent_kernel'],
  specAugment: { timeMasks: 1, timeMaskWidth: 4, freqMasks: 1, freqMaskWidth: 2 },
  clipNorm: 1,
  lrSchedule: { kind: 'plateau' as const, factor: 0.5, patience: 1, minLr: 0.0001 },
  selection: { metric: 'ua_corpus_mean' as const, minEpochs: 2 },
};

/** sha256 of every file under `dir`, by relative path (what the cache's content hash is made of). */
export async function fileHashes(dir: string, prefix = ''): Promise<{ [path: string]: string }> {
  const out: { [path: string]: string } = {};
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(out, await fileHashes(join(dir, entry.name), rel));
    else
      out[rel] = createHash('sha256')
        .update(await readFile(join(dir, entry.name)))
        .digest('hex');
  }
  return out;
}

/**
 * A tiny scratch CNN-LSTM, trained for one epoch on `data` (corpus `corpus`) into `dir/model`: the
 * model the predict tests predict with.
 */
export async function trainTinyModel(dir: string, data: Artifact, corpus: string): Promise<Artifact> {
  const params: TrainParams = {
    strategy: 'scratch',
    structure: { name: 'ser-test-tiny', params: {} },
    classes: null,
    lstmUnits: 8,
    hiddenUnits: 5,
    epochs: 1,
    batchSize: 8,
    learningRate: 0.01,
    patience: 0,
    classWeights: 'balanced',
    ...plainRecipe,
    minFrames: 16,
    maxFrames: 64,
    padMultiple: 8,
    lstmImpl: 'auto',
  };
  const out = join(dir, 'model');
  await train.run(
    testContext({ params, inputs: { data: [data] }, outputs: { model: out }, workDir: join(dir, 'work') }),
  );
  return artifact(out, 'model', [corpus], 'ser_train');
}
