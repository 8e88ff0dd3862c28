import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../structures/registry.ts';
import { assembleBatch, type Batch, type BatchOptions, planEpoch, planEvaluation } from './batches.ts';
import { type CheckpointState, loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import type { Corpus } from './corpus.ts';
import { type AutoencoderModels, autoencoderLoss } from './loss.ts';
import { Rng } from './rng.ts';
import { Sums } from './sums.ts';
import { modelWeights, setModelWeights } from './tensor-files.ts';

export interface TrainConfig {
  sparsity: number;
  learningRate: number;
  batchSize: number;
  epochs: number;
  /** Epochs without a held-out improvement of more than `minDelta` before stopping. */
  patience: number;
  minDelta: number;
  minFrames: number;
  maxFrames: number;
  /**
   * Padded batch lengths are multiples of this (and of the time stride). Few distinct shapes keep
   * native memory bounded: oneDNN caches kernels per input shape.
   */
  padMultiple: number;
  seed: number;
}

/** One line of `history.json`. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  mse: number;
  l1: number;
  /** Held-out slice (absent without one). */
  val_loss?: number;
  val_mse?: number;
  val_l1?: number;
  batches: number;
  seconds: number;
}

export interface TrainRun {
  tf: Tf;
  corpus: Corpus;
  train: Int32Array;
  validation: Int32Array;
  models: AutoencoderModels;
  config: TrainConfig;
  /** Where checkpoints go; without it nothing is saved or resumed. */
  workDir?: string;
  /** Identifies the configuration, so a checkpoint of another one is not resumed. */
  fingerprint?: string;
  signal?: AbortSignal;
  onEpochStart?(epoch: number, batches: number): void;
  onBatch?(epoch: number, batch: number, batches: number): void;
  onEpoch?(record: EpochRecord): void;
  onResume?(epoch: number): void;
}

export interface TrainResult {
  history: EpochRecord[];
  /** Epoch whose weights the models hold at the end (the best held-out loss). */
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Epochs restored from a checkpoint (0 for a fresh run). */
  resumedFrom: number;
}

/**
 * Trains an autoencoder with Adam on length-bucketed, padded, masked batches streamed from the
 * corpus; checkpoints after every epoch and restores the best epoch's weights at the end.
 */
export async function trainAutoencoder(run: TrainRun): Promise<TrainResult> {
  const { tf, corpus, models, config } = run;
  const optimizer = tf.train.adam(config.learningRate);
  const trainable = [models.encoder, models.decoder];
  const variables = trainableVariables(trainable);
  const rng = new Rng(config.seed);
  const fingerprint = run.fingerprint ?? '';
  let state: CheckpointState = {
    fingerprint,
    epoch: 0,
    rngState: rng.state,
    history: [],
    best: null,
    badEpochs: 0,
  };
  let best: { name: string; tensor: tfjs.Tensor }[] | null = null;

  const resumed = run.workDir
    ? await loadCheckpoint(tf, run.workDir, fingerprint, { models: trainable, optimizer })
    : undefined;
  if (resumed) {
    state = resumed.state;
    best = resumed.best;
    rng.state = state.rngState;
    run.onResume?.(state.epoch);
  }
  const resumedFrom = state.epoch;
  const validationBatches = planEvaluation(run.validation, corpus.frames, config.batchSize);

  while (state.epoch < config.epochs && state.badEpochs < config.patience) {
    const epoch = state.epoch + 1;
    const started = performance.now();
    const batches = planEpoch(run.train, corpus.frames, config.batchSize, rng);
    const sums = new Sums();
    run.onEpochStart?.(epoch, batches.length);
    for (let b = 0; b < batches.length; b++) {
      if (run.signal?.aborted) throw run.signal.reason;
      const batch = assembleBatch(corpus, batches[b]!, batchOptions(config, models.timeStride, rng));
      const step = trainStep(tf, optimizer, variables, models, batch, config.sparsity);
      sums.add(batch.lengths, step.loss, step.mse, step.l1);
      run.onBatch?.(epoch, b + 1, batches.length);
    }
    const record: EpochRecord = { epoch, ...sums.means(), batches: batches.length, seconds: 0 };
    if (validationBatches.length > 0) {
      const v = evaluateAutoencoder(tf, corpus, validationBatches, models, config);
      Object.assign(record, { val_loss: v.loss, val_mse: v.mse, val_l1: v.l1 });
    }
    record.seconds = (performance.now() - started) / 1000;
    const monitored = record.val_loss ?? record.loss;
    if (!state.best || monitored < state.best.loss - config.minDelta) {
      state.best = { epoch, loss: monitored };
      state.badEpochs = 0;
      if (best) tf.dispose(best.map((t) => t.tensor));
      best = modelWeights(trainable).map(({ name, tensor }) => ({ name, tensor: tensor.clone() }));
    } else {
      state.badEpochs += 1;
    }
    state.history.push({ ...record });
    state.epoch = epoch;
    state.rngState = rng.state;
    if (run.workDir) await saveCheckpoint(tf, run.workDir, state, { models: trainable, optimizer, best });
    run.onEpoch?.(record);
  }
  if (best) {
    setModelWeights(trainable, best);
    tf.dispose(best.map((t) => t.tensor));
  }
  optimizer.dispose();
  return {
    history: state.history as unknown as EpochRecord[],
    bestEpoch: state.best?.epoch ?? 0,
    stoppedEarly: state.epoch < config.epochs,
    resumedFrom,
  };
}

/** One Adam step on one batch; returns the batch's loss terms. */
export function trainStep(
  tf: Tf,
  optimizer: tfjs.Optimizer,
  variables: tfjs.Variable[],
  models: AutoencoderModels,
  batch: Batch,
  sparsity: number,
): { loss: number; mse: number; l1: number } {
  return tf.tidy(() => {
    let parts: { mse: tfjs.Scalar; l1: tfjs.Scalar } | undefined;
    const cost = optimizer.minimize(
      () => {
        const p = autoencoderLoss(tf, models, batch, sparsity);
        parts = { mse: tf.keep(p.mse), l1: tf.keep(p.l1) };
        return p.loss;
      },
      true,
      variables,
    )!;
    const out = { loss: cost.dataSync()[0]!, mse: parts!.mse.dataSync()[0]!, l1: parts!.l1.dataSync()[0]! };
    tf.dispose([parts!.mse, parts!.l1]);
    return out;
  });
}

/** The trainable variables of the models, in the order the optimizer state follows. */
export function trainableVariables(models: readonly tfjs.LayersModel[]): tfjs.Variable[] {
  return models.flatMap((m) => m.trainableWeights.map((w) => w.read() as tfjs.Variable));
}

/** Frame-weighted mean loss, MSE and L1 of the models over fixed batches (no training). */
export function evaluateAutoencoder(
  tf: Tf,
  corpus: Corpus,
  batches: readonly Int32Array[],
  models: AutoencoderModels,
  config: Pick<TrainConfig, 'sparsity' | 'minFrames' | 'maxFrames' | 'padMultiple'>,
): { loss: number; mse: number; l1: number } {
  const sums = new Sums();
  for (const members of batches) {
    const batch = assembleBatch(corpus, members, {
      minFrames: config.minFrames,
      maxFrames: config.maxFrames,
      multiple: lcm(models.timeStride, config.padMultiple),
    });
    tf.tidy(() => {
      const p = autoencoderLoss(tf, models, batch, config.sparsity, false);
      sums.add(batch.lengths, p.loss.dataSync()[0]!, p.mse.dataSync()[0]!, p.l1.dataSync()[0]!);
    });
  }
  return sums.means();
}

function batchOptions(config: TrainConfig, timeStride: number, rng: Rng): BatchOptions {
  return {
    minFrames: config.minFrames,
    maxFrames: config.maxFrames,
    multiple: lcm(timeStride, config.padMultiple),
    cropRng: rng,
  };
}

function lcm(a: number, b: number): number {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  return (a / gcd(a, b)) * b;
}
