/**
 * `npm run bench` (in packages/stage-autoencoder): training throughput of the default parry-cnn
 * autoencoder with tfjs-node versus the same architecture in Keras (tensorflow-cpu from the same
 * wheel), same batch, frames, loss, optimiser and thread count, in one run. The machine is
 * shared, so tfjs and Keras rounds alternate and the ratio is taken per round (median).
 *
 *   BENCH_ROUNDS=5 BENCH_STEPS=5 BENCH_BATCH=32 BENCH_FRAMES=300 SERX_THREADS=2 npm run bench
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTensorflow, threadBudget } from '@serx/core';
import { buildStructure } from '../src/structures/build.ts';
import { registerBuiltinStructures } from '../src/structures/builtin.ts';
import { openCorpus } from '../src/training/corpus.ts';
import { useNativeReluGrad } from '../src/training/native-gradients.ts';
import { Rng } from '../src/training/rng.ts';
import { trainAutoencoder, trainStep, trainableVariables } from '../src/training/trainer.ts';
import { writeSyntheticStore } from '../test/synthetic-store.ts';
import { startKerasWorker } from './keras-worker.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const cfg = {
  batch: env('BENCH_BATCH', 32),
  frames: env('BENCH_FRAMES', 300),
  numCeps: 40,
  steps: env('BENCH_STEPS', 5),
  rounds: env('BENCH_ROUNDS', 5),
  warmup: 3,
  threads: threadBudget(),
  sparsity: 0.01,
  learningRate: 0.001,
};

const { tf, backend, libtensorflowVersion } = await loadTensorflow({ threads: cfg.threads });
registerBuiltinStructures();
const nativeReluGrad = process.env.BENCH_TFJS_RELU_GRAD === '1' ? false : useNativeReluGrad(tf);
const build = () => buildStructure(tf, { name: 'parry-cnn' }, { numCeps: cfg.numCeps, seed: 1 });

function tfjsStepper(): (steps: number) => number {
  const built = build();
  const models = { encoder: built.encoder, decoder: built.decoder!, timeStride: built.timeStride };
  const optimizer = tf.train.adam(cfg.learningRate);
  const variables = trainableVariables([built.encoder, built.decoder!]);
  const rng = new Rng(1);
  const x = Float32Array.from({ length: cfg.batch * cfg.frames * cfg.numCeps }, () => rng.next() * 2 - 1);
  const batch = { x, mask: new Float32Array(cfg.batch * cfg.frames).fill(1), lengths: Array(cfg.batch).fill(cfg.frames), size: cfg.batch, frames: cfg.frames, numCeps: cfg.numCeps };
  for (let i = 0; i < cfg.warmup; i++) trainStep(tf, optimizer, variables, models, batch, cfg.sparsity);
  return (steps) => {
    const start = performance.now();
    for (let i = 0; i < steps; i++) trainStep(tf, optimizer, variables, models, batch, cfg.sparsity);
    return (performance.now() - start) / 1000;
  };
}

/** The stage's own path: a feature store on disk, bucketing, masking, one epoch. */
async function pipelineSamplesPerSecond(utterances: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'serx-ae-bench-'));
  try {
    await writeSyntheticStore(join(dir, 'store'), { utterances, dims: cfg.numCeps, minFrames: cfg.frames, maxFrames: cfg.frames, seed: 1 });
    const corpus = await openCorpus([join(dir, 'store')]);
    const built = build();
    const all = Int32Array.from({ length: corpus.size }, (_, i) => i);
    const config = { ...cfg, batchSize: cfg.batch, epochs: 1, patience: 1, minDelta: 0, minFrames: 100, maxFrames: cfg.frames, padMultiple: 32, seed: 1 };
    const models = { encoder: built.encoder, decoder: built.decoder!, timeStride: built.timeStride };
    const result = await trainAutoencoder({ tf, corpus, train: all, validation: new Int32Array(0), models, config });
    corpus.close();
    return corpus.size / result.history[0]!.seconds;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const params = build().ref.params as { conv: unknown; units: number };
const keras = await startKerasWorker(join(import.meta.dirname, 'ae_keras.py'), { ...cfg, conv: params.conv, units: params.units });
const tfjs = tfjsStepper();
console.log(`parry-cnn autoencoder (${keras.info.params} encoder params), batch ${cfg.batch} × ${cfg.frames} frames × ${cfg.numCeps} MFCC, ` +
  `${cfg.rounds} alternating rounds of ${cfg.steps} steps, ${cfg.threads} thread(s), native ReluGrad ${nativeReluGrad ? 'on' : 'off'}`);
const rounds: { tfjs: number; keras: number }[] = [];
for (let r = 0; r < cfg.rounds; r++) {
  const samples = cfg.batch * cfg.steps;
  const t = samples / tfjs(cfg.steps);
  const k = samples / (await keras.time(cfg.steps));
  rounds.push({ tfjs: t, keras: k });
  console.log(`round ${r + 1}: tfjs-node ${t.toFixed(1)} samples/s, Keras ${k.toFixed(1)} samples/s, ratio ${(t / k).toFixed(2)}`);
}
keras.close();
const pipeline = await pipelineSamplesPerSecond(cfg.batch * cfg.steps * 2);
const result = {
  bench: 'autoencoder',
  ...cfg,
  backend,
  libtensorflow: libtensorflowVersion ?? null,
  keras: keras.info.keras,
  tensorflow: keras.info.tensorflow,
  tfjsSamplesPerSec: median(rounds.map((r) => r.tfjs)),
  kerasSamplesPerSec: median(rounds.map((r) => r.keras)),
  ratio: median(rounds.map((r) => r.tfjs / r.keras)),
  pipelineSamplesPerSec: pipeline,
};
console.log(`median: tfjs-node ${result.tfjsSamplesPerSec.toFixed(1)} samples/s, Keras ${result.kerasSamplesPerSec.toFixed(1)} samples/s, ` +
  `ratio ${result.ratio.toFixed(2)}× (target ≥ 0.8×); whole stage pipeline (store → buckets → step) ${pipeline.toFixed(1)} samples/s`);
console.log(JSON.stringify(result));
