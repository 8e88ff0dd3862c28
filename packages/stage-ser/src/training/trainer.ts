import { type Logger, type MetricsSink, mixSeed, type ProgressReporter } from '@serx/core';
import type { Tf } from '@serx/tf-backend';
import {
  type FitResult,
  type FitSettings,
  fit,
  planEpoch,
  reportEpoch,
  type SpecAugmentSettings,
  specAugment,
  type Validation,
} from '@serx/training';
import type * as tfjs from '@tensorflow/tfjs';
import { assembleBatch, type BatchOptions, type Example } from '../data/batches.ts';
import { confusionMatrix, unweightedAccuracy, weightedAccuracy } from '../metrics.ts';
import { encoderOf } from '../model/cnn-lstm.ts';
import { setNoiseSeed } from '../model/dropout.ts';
import { argMaxRows, batchInputs, evaluate } from './evaluate.ts';
import { weightedCrossEntropy } from './loss.ts';

/** Which validation UA model selection maximises. */
export type SelectionMetric = 'ua_corpus_mean' | 'ua';

export interface SerTrainSettings {
  fit: FitSettings;
  batchSize: number;
  classWeights: number[] | null;
  batch: Omit<BatchOptions, 'cropRandom'>;
  poolBatches: number;
  specAugment: SpecAugmentSettings;
  selection: SelectionMetric;
  /** Train the encoder too (scratch, fine-tuning) or only the head (frozen). */
  trainEncoder: boolean;
}

export interface TrainHooks {
  log: Logger;
  progress: ProgressReporter;
  metrics: MetricsSink;
  signal: AbortSignal;
}

export interface TrainArgs {
  tf: Tf;
  model: tfjs.LayersModel;
  train: readonly Example[];
  validation: readonly Example[];
  numClasses: number;
  settings: SerTrainSettings;
  /** Score the starting weights first (`history.start`): for a run that continues a trained model. */
  validateStart?: boolean;
  workDir: string;
  fingerprint: string;
  hooks: TrainHooks;
}

/**
 * Trains the CNN-LSTM with the training kit: length-bucketed batches with seeded crops, SpecAugment
 * masks and dropout masks, class-weighted cross-entropy, selection on validation UA (per-corpus mean
 * or pooled). On return the model holds the selected epoch's weights, all layers trainable again (so
 * that `model.weights`, and the saved `weights.bin`, list the encoder's weights first).
 */
export async function trainSer(args: TrainArgs): Promise<FitResult> {
  const { tf, model, settings, hooks } = args;
  // The order of model.weights depends on which layers are trainable: fix it once, all trainable.
  encoderOf(model).trainable = true;
  const weights = [...model.weights];
  encoderOf(model).trainable = settings.trainEncoder;
  const trainable = [...model.trainableWeights];
  const lengths = args.train.map((e) => e.row.frames);
  const indices = lengths.map((_, i) => i);
  try {
    return await fit({
      tf,
      settings: settings.fit,
      task: {
        weights,
        trainable,
        monitor: { key: settings.selection === 'ua' ? 'val_ua' : 'val_ua_corpus_mean', mode: 'max' },
        trainEpoch(ctx) {
          const plan = planEpoch(indices, lengths, settings.batchSize, ctx.random, settings.poolBatches);
          hooks.progress.total(plan.length, ctx.label);
          const truth: number[] = [];
          const pred: number[] = [];
          let lossSum = 0;
          plan.forEach((members, b) => {
            ctx.checkAborted();
            const batch = assembleBatch(args.train, members, { ...settings.batch, cropRandom: ctx.random });
            specAugment(batch, settings.specAugment, ctx.random);
            setNoiseSeed(model, mixSeed(ctx.seed, b + 1));
            const inputs = batchInputs(tf, batch, settings.batch.numCeps);
            let probs: tfjs.Tensor | undefined;
            const loss = ctx.step(() => {
              const [p] = model.apply(inputs, { training: true }) as tfjs.Tensor[];
              probs = tf.keep(p as tfjs.Tensor);
              return weightedCrossEntropy(tf, p as tfjs.Tensor, batch.labels, settings.classWeights);
            });
            lossSum += loss * batch.size;
            truth.push(...batch.labels);
            pred.push(...argMaxRows(probs?.dataSync() as Float32Array, args.numClasses));
            tf.dispose([probs as tfjs.Tensor, ...inputs]);
            hooks.progress.tick();
          });
          const confusion = confusionMatrix(truth, pred, args.numClasses);
          // running scores over the epoch's batches (the weights change during the epoch)
          return {
            loss: lossSum / truth.length,
            train_ua: unweightedAccuracy(confusion),
            train_wa: weightedAccuracy(confusion),
          };
        },
        validate(): Validation {
          const v = evaluate(
            tf,
            model,
            args.validation,
            args.numClasses,
            settings.batchSize,
            settings.batch,
            settings.classWeights,
          );
          return {
            score: settings.selection === 'ua' ? v.ua : v.uaCorpusMean,
            loss: v.loss,
            values: {
              val_loss: v.loss,
              val_ua: v.ua,
              val_wa: v.wa,
              val_ua_corpus_mean: v.uaCorpusMean,
              val_ua_by_corpus: v.uaByCorpus,
            },
          };
        },
      },
      ...(args.validateStart ? { validateStart: true } : {}),
      checkpoint: { workDir: args.workDir, fingerprint: args.fingerprint },
      signal: hooks.signal,
      onResume: (epoch) => hooks.log.info(`resuming after epoch ${epoch} from a checkpoint`),
      onEpoch: (r, seconds) => {
        const n = (key: string) => (r[key] as number).toFixed(key.endsWith('loss') ? 4 : 3);
        reportEpoch(r, seconds, {
          metrics: hooks.metrics,
          log: hooks.log,
          epochs: settings.fit.epochs,
          summary:
            `loss ${n('loss')} train UA ${n('train_ua')} val loss ${n('val_loss')} ` +
            `val UA ${n('val_ua')} (corpus mean ${n('val_ua_corpus_mean')}) lr ${r.lr}`,
        });
      },
    });
  } finally {
    encoderOf(model).trainable = true;
  }
}
