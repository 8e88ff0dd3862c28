import {
  type EpochRecord,
  type FitResult,
  fit,
  lcm,
  planEpoch,
  planEvaluation,
  type StepSettings,
  trainStep,
  type Validation,
} from '@serx/training';
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../structures/registry.ts';
import { assembleBatch, type Batch } from './batches.ts';
import type { Corpus } from './corpus.ts';
import { type AutoencoderModels, autoencoderLoss } from './loss.ts';
import { Sums } from './sums.ts';

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

/** One autoencoder training for {@link trainAutoencoder}. */
export interface AutoencoderTraining {
  tf: Tf;
  corpus: Corpus;
  train: Int32Array;
  validation: Int32Array;
  models: AutoencoderModels;
  config: TrainConfig;
  /**
   * Checkpoints go into `workDir`; one with another `fingerprint` (`trainingFingerprint` of the
   * configuration) is not resumed. Without it nothing is saved or resumed.
   */
  checkpoint?: { workDir: string; fingerprint: string };
  signal?: AbortSignal;
  onEpochStart?(epoch: number, batches: number, label: string): void;
  onBatch?(epoch: number, batch: number, batches: number): void;
  onEpoch?(record: EpochRecord, seconds: number): void;
  onResume?(epoch: number): void;
}

/** One `history.json` record of the autoencoder (`val_*` only with a held-out slice). */
export type AutoencoderEpoch = EpochRecord & {
  loss: number;
  mse: number;
  l1: number;
  val_loss?: number;
  val_mse?: number;
  val_l1?: number;
  batches: number;
};

/** The autoencoder adds nothing to Adam: no weight decay, no clipping (the paper's §3.4 recipe). */
const PLAIN: Omit<StepSettings, 'decayed'> = { weightDecay: 0, clipNorm: 0 };

/**
 * Trains an autoencoder with the training kit's loop (Adam, early stopping on the held-out loss,
 * a checkpoint per epoch, best-epoch weights at the end) on length-bucketed, padded, masked
 * batches streamed from the corpus. History records: loss, mse, l1, val_loss, val_mse, val_l1, batches.
 */
export async function trainAutoencoder(run: AutoencoderTraining): Promise<FitResult> {
  const { tf, corpus, models, config } = run;
  const trainable = [models.encoder, models.decoder];
  const padMultiple = lcm(models.timeStride, config.padMultiple);
  const validationBatches = planEvaluation(run.validation, corpus.frames, config.batchSize);
  const held = validationBatches.length > 0;
  let trainLoss = Number.NaN;
  return fit({
    tf,
    settings: {
      epochs: config.epochs,
      learningRate: config.learningRate,
      lrSchedule: { kind: 'constant' },
      patience: config.patience,
      minEpochs: 1,
      minDelta: config.minDelta,
      ...PLAIN,
      weightDecayOn: [],
      seed: config.seed,
    },
    task: {
      weights: trainable.flatMap((m) => m.weights),
      trainable: trainable.flatMap((m) => m.trainableWeights),
      monitor: { key: held ? 'val_loss' : 'loss', mode: 'min' },
      trainEpoch(ctx) {
        const batches = planEpoch(run.train, corpus.frames, config.batchSize, ctx.random);
        run.onEpochStart?.(ctx.epoch, batches.length, ctx.label);
        const sums = new Sums();
        batches.forEach((members, b) => {
          ctx.checkAborted();
          const batch = assembleBatch(corpus, members, {
            minFrames: config.minFrames,
            maxFrames: config.maxFrames,
            padMultiple,
            cropRandom: ctx.random,
          });
          const step = autoencoderStep(tf, ctx.step, models, batch, config.sparsity);
          sums.add(batch.lengths, step.loss, step.mse, step.l1);
          run.onBatch?.(ctx.epoch, b + 1, batches.length);
        });
        const means = sums.means();
        trainLoss = means.loss;
        return { ...means, batches: batches.length };
      },
      validate(): Validation {
        // without a held-out slice, selection and early stopping fall back to the training loss
        if (!held) return { score: -trainLoss, loss: trainLoss, values: {} };
        const v = evaluateAutoencoder(tf, corpus, validationBatches, models, config);
        return { score: -v.loss, loss: v.loss, values: { val_loss: v.loss, val_mse: v.mse, val_l1: v.l1 } };
      },
    },
    ...(run.checkpoint ? { checkpoint: run.checkpoint } : {}),
    ...(run.signal ? { signal: run.signal } : {}),
    ...(run.onResume ? { onResume: run.onResume } : {}),
    ...(run.onEpoch ? { onEpoch: run.onEpoch } : {}),
  });
}

/**
 * One optimizer step on one batch through `step` (the kit's, or {@link plainStep}); returns the
 * batch's loss terms.
 */
export function autoencoderStep(
  tf: Tf,
  step: (loss: () => tfjs.Scalar) => number,
  models: AutoencoderModels,
  batch: Batch,
  sparsity: number,
): { loss: number; mse: number; l1: number } {
  let parts: { mse: tfjs.Scalar; l1: tfjs.Scalar } | undefined;
  const loss = step(() => {
    const p = autoencoderLoss(tf, models, batch, sparsity);
    parts = { mse: tf.keep(p.mse), l1: tf.keep(p.l1) };
    return p.loss;
  });
  const out = { loss, mse: parts!.mse.dataSync()[0]!, l1: parts!.l1.dataSync()[0]! };
  tf.dispose([parts!.mse, parts!.l1]);
  return out;
}

/** The kit's optimizer step without weight decay or clipping, for benches driving steps directly. */
export function plainStep(tf: Tf, optimizer: tfjs.Optimizer, variables: tfjs.Variable[]) {
  return (loss: () => tfjs.Scalar) => trainStep(tf, optimizer, variables, loss, { ...PLAIN, decayed: [] });
}

/** The trainable variables of the models, in the order the optimizer state follows. */
export function trainableVariables(models: readonly tfjs.LayersModel[]): tfjs.Variable[] {
  return models.flatMap((m) => m.trainableWeights.map((w) => w.read() as tfjs.Variable));
}

/** Frame-weighted mean loss, MSE and L1 of the models over fixed batches (no training). */
export function evaluateAutoencoder(
  tf: Tf,
  corpus: Corpus,
  batches: readonly number[][],
  models: AutoencoderModels,
  config: Pick<TrainConfig, 'sparsity' | 'minFrames' | 'maxFrames' | 'padMultiple'>,
): { loss: number; mse: number; l1: number } {
  const sums = new Sums();
  for (const members of batches) {
    const batch = assembleBatch(corpus, members, {
      minFrames: config.minFrames,
      maxFrames: config.maxFrames,
      padMultiple: lcm(models.timeStride, config.padMultiple),
    });
    tf.tidy(() => {
      const p = autoencoderLoss(tf, models, batch, config.sparsity, false);
      sums.add(batch.lengths, p.loss.dataSync()[0]!, p.mse.dataSync()[0]!, p.l1.dataSync()[0]!);
    });
  }
  return sums.means();
}
