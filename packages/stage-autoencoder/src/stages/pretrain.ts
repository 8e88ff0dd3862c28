import {
  defineStage,
  type InputSpecs,
  type Json,
  paramsSchema,
  type StageContext,
  type StageResult,
} from '@serx/core/stage';
import { serxKernelsSource } from '@serx/tf-backend/plugin-hooks';
import { getEncoderStructure } from '../structures/registry.ts';

export interface PretrainParams {
  structure: string;
  structureParams: { [key: string]: Json };
  sparsity: number;
  learningRate: number;
  batchSize: number;
  epochs: number;
  patience: number;
  minDelta: number;
  validationFraction: number;
  minFrames: number;
  maxFrames: number;
  padMultiple: number;
  samples: number;
  limit?: number;
}

const inputs = {
  features: { type: 'features', many: true, fits: true, description: 'unlabelled MFCC feature stores' },
} as const satisfies InputSpecs;

/** What the stage's run (pretrain-run.ts) receives. */
export type PretrainContext = StageContext<PretrainParams, typeof inputs>;

/**
 * `autoencoder:pretrain` (paper §3.4): trains encoder + decoder of a registered structure on
 * unlabelled MFCC sequences, loss = MSE + sparsity × mean|bottleneck|, Adam, early stopping on a
 * seeded held-out slice; checkpoints every epoch in the work dir and resumes after a kill.
 */
export const pretrain = defineStage({
  name: 'autoencoder:pretrain',
  version: '2',
  description: 'sparse convolutional autoencoder pretraining on unlabelled MFCC sequences',
  // serx's native kernels (conv ops, losses, Adam) are loaded with require: named here.
  codeDependencies: (p) => [getEncoderStructure(p.structure), serxKernelsSource],
  params: paramsSchema<PretrainParams>({
    type: 'object',
    additionalProperties: false,
    properties: {
      structure: {
        type: 'string',
        default: 'parry-cnn',
        description: 'encoder structure, by registered name',
      },
      structureParams: {
        type: 'object',
        default: {},
        description: "the structure's own params (its schema applies defaults)",
      },
      sparsity: {
        type: 'number',
        minimum: 0,
        default: 0.01,
        description: 'L1 coefficient on the mean |bottleneck activation|; 0 = plain autoencoder',
      },
      learningRate: { type: 'number', exclusiveMinimum: 0, default: 0.001 },
      batchSize: { type: 'integer', minimum: 1, default: 32 },
      epochs: { type: 'integer', minimum: 1, default: 30 },
      patience: {
        type: 'integer',
        minimum: 1,
        default: 3,
        description: 'epochs without held-out improvement before stopping',
      },
      minDelta: { type: 'number', minimum: 0, default: 0 },
      validationFraction: {
        type: 'number',
        minimum: 0,
        maximum: 0.5,
        default: 0.1,
        description: 'seeded held-out slice for early stopping and the reconstruction MSE',
      },
      minFrames: {
        type: 'integer',
        minimum: 1,
        default: 100,
        description: 'shorter utterances are zero-padded (masked out of the loss)',
      },
      maxFrames: {
        type: 'integer',
        minimum: 1,
        default: 1000,
        description: 'longer utterances are cropped to a seeded random window',
      },
      padMultiple: {
        type: 'integer',
        minimum: 1,
        default: 32,
        description:
          'padded batch lengths are multiples of this: bounds the distinct shapes (native kernel caches)',
      },
      samples: {
        type: 'integer',
        minimum: 0,
        default: 4,
        description: 'utterances reconstructed for Figure 2',
      },
      limit: { type: 'integer', minimum: 1, description: 'use only the first N utterances (smoke runs)' },
    },
  }),
  inputs,
  outputs: {
    encoder: { type: 'encoder', description: 'tfjs encoder + decoder, structure.json, history.json' },
    reconstruction: {
      type: 'reconstruction',
      description: 'Figure 2 samples and held-out reconstruction MSE',
    },
  },
  resources: { class: 'cpu-heavy' },
  tracked: true,
  // The implementation (TensorFlow, the training kit) is imported when the stage runs, not when the
  // plugin loads (start-up).
  run: async (ctx): Promise<StageResult> => (await import('./pretrain-run.ts')).runPretrain(ctx),
});
