import {
  defineStage,
  type InputSpecs,
  paramsSchema,
  type StageContext,
  type StageResult,
} from '@serx/core/stage';
import { serxKernelsSource } from '@serx/tf-backend/plugin-hooks';
import { predictShards } from './predict-shards.ts';

export interface PredictParams {
  /** Splits to predict; a corpus with no row in any of them (e.g. held-out TESS) is predicted whole. */
  splits: string[];
  batchSize: number;
}

const inputs = {
  model: { type: 'model' },
  features: { type: 'features', many: true },
} as const satisfies InputSpecs;

/** What the stage's run (predict-run.ts) receives. */
export type PredictContext = StageContext<PredictParams, typeof inputs>;

/**
 * `ser:predict`: runs a trained CNN-LSTM over feature stores and writes a `predictions` store:
 * per utterance the last-hidden-layer embedding as a 1 × hiddenUnits vector, and in its index row
 * the input row's fields plus `probs` (softmax, in `meta.classes` order) and `pred` (class name).
 */
export const predict = defineStage({
  name: 'ser:predict',
  version: '3',
  description: 'per-utterance class probabilities and last-hidden-layer embeddings of a trained CNN-LSTM',
  // serx's native kernels (the fused LSTM forward) are loaded with require: named here.
  codeDependencies: () => [serxKernelsSource, predictShards],
  params: paramsSchema<PredictParams>({
    type: 'object',
    additionalProperties: false,
    properties: {
      splits: { type: 'array', items: { type: 'string' }, minItems: 1, default: ['test'] },
      batchSize: { type: 'integer', minimum: 1, default: 32 },
    },
  }),
  inputs,
  outputs: {
    predictions: { type: 'predictions', description: 'feature-store format, dims = embedding size' },
  },
  resources: { class: 'cpu-heavy' },
  // The implementation is imported when the stage runs, not when the plugin loads (start-up).
  run: async (ctx): Promise<StageResult | undefined> => (await import('./predict-run.ts')).runPredict(ctx),
});
