import { mulberry32 as createRng, mixSeed } from '@serx/core';
import { buildStructure } from '@serx/stage-autoencoder';
import type { Tf } from '@serx/tf-backend';
import { createAdam, specAugment, trainStep } from '@serx/training';
import type * as tfjs from '@tensorflow/tfjs';
import { assembleCnnLstm, NO_DROPOUT } from '../src/model/cnn-lstm.ts';
import { setNoiseSeed } from '../src/model/dropout.ts';
import { serxLstmClass } from '../src/model/lstm.ts';
import type { LstmImpl } from '../src/model/lstm-sequence.ts';
import { weightedCrossEntropy } from '../src/training/loss.ts';
import type { Timing } from './keras-worker.ts';

export interface BenchConfig {
  batch: number;
  frames: number;
  numCeps: number;
  classes: number;
  lstmUnits: number;
  hiddenUnits: number;
  warmup: number;
  learningRate: number;
  /**
   * ser:train's recipe regularisers (full mode, SerxLSTM only): dropout .1/.2/.1/.3, SpecAugment
   * 2×20 frames + 2×5 coefficients on a copy of the batch every step, L2 1e-4 on the kernels,
   * global-norm clipping at 5, class weights; steps through the training kit's `trainStep`.
   */
  regularised?: boolean;
}

/** The recipe's default dropout rates (ser:train). */
export const RECIPE_DROPOUT = { conv: 0.1, lstmInput: 0.2, lstmRecurrent: 0.1, dense: 0.3 };

/** How the LSTM is built: tfjs-layers' own cell, or SerxLSTM with one of its implementations. */
export type Variant =
  | 'tf.layers.lstm'
  | 'SerxLSTM fused'
  | 'SerxLSTM cellgrad'
  | 'SerxLSTM block'
  | 'SerxLSTM autodiff';
/** `full`: the whole CNN-LSTM on MFCC; `lstm`: the recurrent part alone on bottleneck sequences. */
export type Mode = 'full' | 'lstm';

function lstmLayer(
  tf: Tf,
  variant: Variant,
  cfg: BenchConfig,
  seq: tfjs.SymbolicTensor,
  frames: tfjs.SymbolicTensor,
  timeStride: number,
) {
  if (variant === 'tf.layers.lstm')
    return tf.layers.lstm({ units: cfg.lstmUnits, recurrentActivation: 'sigmoid' }).apply(seq);
  const Lstm = serxLstmClass(tf);
  const impl = variant.replace('SerxLSTM ', '') as LstmImpl;
  return new Lstm({ units: cfg.lstmUnits, timeStride, impl }).apply([seq, frames]);
}

function buildModel(tf: Tf, variant: Variant, mode: Mode, cfg: BenchConfig, units: number): tfjs.LayersModel {
  const built = buildStructure(tf, { name: 'parry-cnn' }, { numCeps: cfg.numCeps, seed: 1, decoder: false });
  if (mode === 'full' && variant !== 'tf.layers.lstm') {
    let k = 0;
    const head = {
      lstmUnits: cfg.lstmUnits,
      hiddenUnits: cfg.hiddenUnits,
      classes: ['a', 'b', 'c'],
      lstmImpl: variant.replace('SerxLSTM ', '') as LstmImpl,
      dropout: cfg.regularised ? RECIPE_DROPOUT : NO_DROPOUT,
    };
    const initializer = () => tf.initializers.glorotUniform({ seed: 50 + k++ });
    return assembleCnnLstm(tf, built.encoder, head, {
      numCeps: cfg.numCeps,
      timeStride: built.timeStride,
      initializer,
    });
  }
  const input =
    mode === 'full' ? tf.input({ shape: [null, cfg.numCeps, 1] }) : tf.input({ shape: [null, units] });
  const frames = tf.input({ shape: [1] });
  const seq = mode === 'full' ? (built.encoder.apply(input) as tfjs.SymbolicTensor) : input;
  const h = lstmLayer(
    tf,
    variant,
    cfg,
    seq,
    frames,
    mode === 'full' ? built.timeStride : 1,
  ) as tfjs.SymbolicTensor;
  const e = tf.layers.dense({ units: cfg.hiddenUnits, activation: 'relu' }).apply(h) as tfjs.SymbolicTensor;
  const p = tf.layers.dense({ units: cfg.classes, activation: 'softmax' }).apply(e) as tfjs.SymbolicTensor;
  return tf.model({ inputs: variant === 'tf.layers.lstm' ? input : [input, frames], outputs: [p, e] });
}

/**
 * Builds the model and returns a function running `steps` Adam steps (categorical cross-entropy)
 * on one fixed random batch; it returns their wall and process CPU time in seconds. `seqSteps` is the
 * bottleneck length in `lstm` mode.
 */
export function tfjsStepper(
  tf: Tf,
  variant: Variant,
  mode: Mode,
  cfg: BenchConfig,
  bottleneck: { units: number; seqSteps: number },
): (steps: number) => Timing {
  const model = buildModel(tf, variant, mode, cfg, bottleneck.units);
  const optimizer = createAdam(tf, cfg.learningRate);
  const variables = model.trainableWeights.map((w) => w.read() as tfjs.Variable);
  const rng = createRng(1);
  const shape =
    mode === 'full'
      ? [cfg.batch, cfg.frames, cfg.numCeps, 1]
      : [cfg.batch, bottleneck.seqSteps, bottleneck.units];
  const x = tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng() * 2 - 1),
    shape,
  );
  const frames = tf.fill([cfg.batch, 1], mode === 'full' ? cfg.frames : bottleneck.seqSteps);
  const labels = Int32Array.from({ length: cfg.batch }, () => Math.floor(rng() * cfg.classes));
  const inputs = variant === 'tf.layers.lstm' ? [x] : [x, frames];
  const base = x.dataSync() as Float32Array;
  const decayed = model.trainableWeights
    .filter((w) => /kernel$/.test(w.originalName))
    .map((w) => w.read() as tfjs.Variable);
  let stepIndex = 0;
  const regularisedStep = () => {
    const batch = {
      x: base.slice(),
      lengths: new Float32Array(cfg.batch).fill(cfg.frames),
      size: cfg.batch,
      frames: cfg.frames,
      numCeps: cfg.numCeps,
    };
    specAugment(batch, { timeMasks: 2, timeMaskWidth: 20, freqMasks: 2, freqMaskWidth: 5 }, rng);
    setNoiseSeed(model, mixSeed(1, ++stepIndex));
    const xs = tf.tensor4d(batch.x, [cfg.batch, cfg.frames, cfg.numCeps, 1]);
    trainStep(
      tf,
      optimizer,
      variables,
      () => {
        const [probs] = model.apply([xs, frames], { training: true }) as tfjs.Tensor[];
        return weightedCrossEntropy(tf, probs as tfjs.Tensor, labels, [1.2, 0.8, 1.0]);
      },
      { weightDecay: 1e-4, decayed, clipNorm: 5 },
    );
    xs.dispose();
  };
  const plainStep = () => {
    const cost = optimizer.minimize(
      () => {
        const [probs] = model.apply(inputs, { training: true }) as tfjs.Tensor[];
        return weightedCrossEntropy(tf, probs as tfjs.Tensor, labels, null);
      },
      true,
      variables,
    );
    cost?.dataSync();
    cost?.dispose();
  };
  const step =
    cfg.regularised && mode === 'full' && variant !== 'tf.layers.lstm' ? regularisedStep : plainStep;
  for (let i = 0; i < cfg.warmup; i++) step();
  return (steps) => {
    const start = performance.now();
    const cpu = process.cpuUsage();
    for (let i = 0; i < steps; i++) step();
    const used = process.cpuUsage(cpu);
    return { wall: (performance.now() - start) / 1000, cpu: (used.user + used.system) / 1e6 };
  };
}
