/**
 * `npm run bench -- ser`: training throughput of the default CNN-LSTM (parry-cnn encoder → LSTM →
 * dense → softmax) with tfjs-node versus the same model in Keras (tensorflow-cpu from the same
 * wheel as libtensorflow), same batch, frames, loss, optimiser and thread count, in one run.
 * tfjs variants: `tf.layers.lstm` (tfjs-layers' step-by-step cell), `SerxLSTM` with taped ops
 * (`autodiff`), and `SerxLSTM` on TensorFlow's fused BlockLSTM kernels (`block`, the default).
 * The machine is shared, so the variants run in alternating rounds; ratios are per-round medians.
 *
 *   BENCH_ROUNDS=3 BENCH_STEPS=3 BENCH_BATCH=32 BENCH_FRAMES=300 SERX_THREADS=2 npm run bench -- ser
 */
import { join } from 'node:path';
import { loadTensorflow, threadBudget } from '@serx/core';
import { buildStructure, registerBuiltinStructures, useNativeReluGrad } from '@serx/stage-autoencoder';
import type * as tfjs from '@tensorflow/tfjs';
import { createRng } from '../src/data/rng.ts';
import { assembleCnnLstm } from '../src/model/cnnLstm.ts';
import type { LstmImpl } from '../src/model/lstmSequence.ts';
import { weightedCrossEntropy } from '../src/training/loss.ts';
import { startKerasWorker } from './keras-worker.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const cfg = {
  batch: env('BENCH_BATCH', 32),
  frames: env('BENCH_FRAMES', 300),
  numCeps: 40,
  classes: 3,
  lstmUnits: 128,
  hiddenUnits: 64,
  steps: env('BENCH_STEPS', 3),
  rounds: env('BENCH_ROUNDS', 3),
  warmup: 2,
  threads: threadBudget(),
  learningRate: 0.001,
};

const { tf, backend, libtensorflowVersion } = await loadTensorflow({ threads: cfg.threads });
registerBuiltinStructures();
const nativeReluGrad = useNativeReluGrad(tf);
const structure = () => buildStructure(tf, { name: 'parry-cnn' }, { numCeps: cfg.numCeps, seed: 1, decoder: false });

type Variant = 'tf.layers.lstm' | `SerxLSTM ${Exclude<LstmImpl, 'auto'>}`;

function buildModel(variant: Variant): tfjs.LayersModel {
  const built = structure();
  let k = 0;
  const initializer = () => tf.initializers.glorotUniform({ seed: 50 + k++ });
  if (variant !== 'tf.layers.lstm') {
    const impl = variant === 'SerxLSTM block' ? 'block' : 'autodiff';
    const head = { lstmUnits: cfg.lstmUnits, hiddenUnits: cfg.hiddenUnits, classes: ['a', 'b', 'c'], lstmImpl: impl as LstmImpl };
    return assembleCnnLstm(tf, built.encoder, head, { numCeps: cfg.numCeps, timeStride: built.timeStride, initializer });
  }
  const mfcc = tf.input({ shape: [null, cfg.numCeps, 1] });
  const seq = built.encoder.apply(mfcc) as tfjs.SymbolicTensor;
  const h = tf.layers.lstm({ units: cfg.lstmUnits, recurrentActivation: 'sigmoid' }).apply(seq) as tfjs.SymbolicTensor;
  const e = tf.layers.dense({ units: cfg.hiddenUnits, activation: 'relu' }).apply(h) as tfjs.SymbolicTensor;
  const p = tf.layers.dense({ units: cfg.classes, activation: 'softmax' }).apply(e) as tfjs.SymbolicTensor;
  return tf.model({ inputs: mfcc, outputs: [p, e] });
}

/** A function running `steps` Adam steps on one fixed batch; returns their wall time in seconds. */
function tfjsStepper(variant: Variant): (steps: number) => number {
  const model = buildModel(variant);
  const optimizer = tf.train.adam(cfg.learningRate);
  const variables = model.trainableWeights.map((w) => w.read() as tfjs.Variable);
  const rng = createRng(1);
  const x = tf.tensor4d(Float32Array.from({ length: cfg.batch * cfg.frames * cfg.numCeps }, () => rng() * 2 - 1), [cfg.batch, cfg.frames, cfg.numCeps, 1]);
  const frames = tf.fill([cfg.batch, 1], cfg.frames);
  const labels = Int32Array.from({ length: cfg.batch }, () => Math.floor(rng() * cfg.classes));
  const inputs = variant === 'tf.layers.lstm' ? [x] : [x, frames];
  const step = () => {
    const cost = optimizer.minimize(() => {
      const [probs] = model.apply(inputs, { training: true }) as tfjs.Tensor[];
      return weightedCrossEntropy(tf, probs as tfjs.Tensor, labels, null);
    }, true, variables);
    cost?.dataSync();
    cost?.dispose();
  };
  for (let i = 0; i < cfg.warmup; i++) step();
  return (steps) => {
    const start = performance.now();
    for (let i = 0; i < steps; i++) step();
    return (performance.now() - start) / 1000;
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const params = structure().ref.params as { conv: unknown; units: number };
const keras = await startKerasWorker(join(import.meta.dirname, 'ser_keras.py'), { ...cfg, conv: params.conv, units: params.units });
const variants: Variant[] = backend === 'tensorflow' ? ['SerxLSTM block', 'SerxLSTM autodiff', 'tf.layers.lstm'] : ['SerxLSTM autodiff', 'tf.layers.lstm'];
const steppers = new Map(variants.map((v) => [v, tfjsStepper(v)]));
console.log(
  `CNN-LSTM (parry-cnn + LSTM ${cfg.lstmUnits} + dense ${cfg.hiddenUnits}, ${keras.info.params} params), batch ${cfg.batch} × ${cfg.frames} frames × ${cfg.numCeps} MFCC, ` +
    `${cfg.rounds} alternating rounds of ${cfg.steps} steps, ${cfg.threads} thread(s), backend ${backend}, native ReluGrad ${nativeReluGrad ? 'on' : 'off'}`,
);
const rounds: { [name: string]: number }[] = [];
const samples = cfg.batch * cfg.steps;
for (let r = 0; r < cfg.rounds; r++) {
  const round: { [name: string]: number } = { keras: samples / (await keras.time(cfg.steps)) };
  for (const [variant, stepper] of steppers) round[variant] = samples / stepper(cfg.steps);
  rounds.push(round);
  console.log(`round ${r + 1}: ${Object.entries(round).map(([n, v]) => `${n} ${v.toFixed(1)}`).join(', ')} samples/s`);
}
keras.close();
const result = {
  bench: 'ser-cnn-lstm',
  ...cfg,
  backend,
  libtensorflow: libtensorflowVersion ?? null,
  tensorflow: keras.info.tensorflow,
  keras: keras.info.keras,
  kerasSamplesPerSec: median(rounds.map((r) => r.keras as number)),
  variants: Object.fromEntries(
    variants.map((v) => [v, { samplesPerSec: median(rounds.map((r) => r[v] as number)), ratio: median(rounds.map((r) => (r[v] as number) / (r.keras as number))) }]),
  ),
};
for (const [v, { samplesPerSec, ratio }] of Object.entries(result.variants)) {
  console.log(`median ${v}: ${samplesPerSec.toFixed(1)} samples/s = ${ratio.toFixed(2)}× Keras (${result.kerasSamplesPerSec.toFixed(1)} samples/s; target ≥ 0.8×)`);
}
console.log(JSON.stringify(result));
