import type { Artifact, Json, Logger, MetricsSink, ProgressReporter, StageResult } from '@serx/core';
import { useNativeReluGrad } from '@serx/stage-autoencoder';
import { loadTensorflow, type Tf } from '@serx/tf-backend';
import { type History, trainingFingerprint } from '@serx/training';
import type * as tfjs from '@tensorflow/tfjs';
import type { BatchOptions } from '../data/batches.ts';
import { openTrainingData, type TrainingData } from '../data/training-data.ts';
import type { ModelConfig } from '../model/config.ts';
import { writeModelArtifact } from '../model/write-model.ts';
import { resolveClassWeights } from '../training/class-weights.ts';
import { trainSer } from '../training/trainer.ts';
import { fitSettingsOf, type RecipeParams, specAugmentOf } from './recipe-params.ts';

/** The part of a stage context a model-training stage uses. */
export interface ModelTrainingContext {
  readonly id: string;
  readonly outputs: { readonly [name: string]: string };
  readonly workDir: string;
  readonly log: Logger;
  readonly progress: ProgressReporter;
  readonly metrics: MetricsSink;
  readonly seed: number;
  readonly signal: AbortSignal;
  readonly threads: number;
  readonly heldOut: readonly string[];
}

/** The model a stage trains, ready for the loop, and how its artifact's config is made. */
export interface PreparedModel {
  model: tfjs.LayersModel;
  /** Batch shape: coefficients per frame, crop/pad bounds, padded-length multiple. */
  batch: Omit<BatchOptions, 'cropRandom'>;
  /** Train the encoder too (scratch, fine-tuning) or only the head (frozen). */
  trainEncoder: boolean;
  /** Validate the starting weights first (`history.start`): a run continuing a trained model. */
  validateStart: boolean;
  /** Inputs the model comes from besides params, seed and data (for the checkpoint fingerprint). */
  origin: { [name: string]: Json };
  /** `strategy` and `structure` tags of the tracking run. */
  tags: { strategy: string; structure: string };
  /** The artifact's config, from the run's outcome. */
  config(outcome: { history: History; classWeights: number[] | null; data: TrainingData }): ModelConfig;
}

/** What a model-training stage supplies: which classes to read, and its model once data are open. */
export interface ModelTrainingPlan {
  /** Class order of the data; null = the sorted classes of the training rows. */
  classes: string[] | null;
  /** Builds (or has loaded) the model for the opened data. */
  prepare(data: TrainingData): Promise<PreparedModel> | PreparedModel;
  /** Releases what the plan loaded before `prepare` (e.g. a model `prepare` was not reached for). */
  dispose?(): void;
}

/**
 * The one body of `ser:train` and `ser:finetune`: loads TensorFlow, opens the `train`/`validation`
 * rows of the data inputs, lets the stage build or load its model (`plan`), trains it with the kit
 * (checkpoints in the work dir, resume keyed by {@link trainingFingerprint}), writes the model
 * artifact and its tags. The model and the data are released however the run ends.
 */
export async function runModelTraining(
  ctx: ModelTrainingContext,
  p: RecipeParams,
  dataArtifacts: readonly Artifact[],
  plan: (tf: Tf) => Promise<ModelTrainingPlan>,
): Promise<StageResult> {
  const { tf, backend } = await loadTensorflow({ threads: ctx.threads });
  useNativeReluGrad(tf);
  ctx.metrics.tag('backend', backend);
  const planned = await plan(tf);
  let prepared: PreparedModel | undefined;
  try {
    const data = await openTrainingData(ctx, dataArtifacts, planned.classes);
    try {
      prepared = await planned.prepare(data);
      const labels = data.train.examples.map((e) => e.label);
      const classWeights = resolveClassWeights(p.classWeights, labels, data.classes);
      const fingerprint = trainingFingerprint({
        params: p as unknown as Json,
        seed: ctx.seed,
        data: dataArtifacts.map((a) => a.hash),
        ...prepared.origin,
      });
      const { history } = await trainSer({
        tf,
        model: prepared.model,
        train: data.train.examples,
        validation: data.validation.examples,
        numClasses: data.classes.length,
        settings: {
          fit: fitSettingsOf(p, ctx.seed),
          batchSize: p.batchSize,
          classWeights,
          batch: prepared.batch,
          poolBatches: 32,
          specAugment: specAugmentOf(p),
          selection: p.selection.metric,
          trainEncoder: prepared.trainEncoder,
        },
        validateStart: prepared.validateStart,
        workDir: ctx.workDir,
        fingerprint,
        hooks: ctx,
      });
      const config = prepared.config({ history, classWeights, data });
      const result = await writeModelArtifact(ctx, tf, prepared.model, config, history);
      ctx.metrics.tag('strategy', prepared.tags.strategy);
      ctx.metrics.tag('structure', prepared.tags.structure);
      return result;
    } finally {
      data.close();
    }
  } finally {
    if (prepared) prepared.model.dispose();
    else planned.dispose?.();
  }
}
