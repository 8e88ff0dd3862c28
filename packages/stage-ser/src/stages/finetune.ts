import {
  defineStage,
  type InputSpecs,
  paramsSchema,
  type StageContext,
  type StageResult,
} from '@serx/core/stage';
import { serxKernelsSource } from '@serx/tf-backend/plugin-hooks';
import { type RecipeParams, recipeSchema } from './recipe-params.ts';

/** Params of `ser:finetune`: the recipe of `ser:train`, with fine-tuning defaults. */
export type FinetuneParams = RecipeParams;

const inputs = {
  model: { type: 'model', description: 'the ser:train model to continue (e.g. ser_frozen.model)' },
  data: {
    type: 'features',
    many: true,
    fits: true,
    description: 'split=train rows train, split=validation rows select',
  },
} as const satisfies InputSpecs;

/** What the stage's run (finetune-run.ts) receives. */
export type FinetuneContext = StageContext<FinetuneParams, typeof inputs>;

/**
 * `ser:finetune`: continues a trained CNN-LSTM (e.g. `ser_frozen.model`) with every layer trainable,
 * the pretrained encoder included, at its own (small) learning rate and patience. The frozen phase
 * is not repeated: the input model is the starting point, its validation scores are `history.start`.
 * Architecture, dropout rates and padding come from the input model.
 */
export const finetune = defineStage({
  name: 'ser:finetune',
  version: '1',
  description: 'fine-tunes a trained CNN-LSTM with its encoder unfrozen',
  // serx's native kernels are loaded with require: named here to be in the cache key.
  codeDependencies: () => [serxKernelsSource],
  params: paramsSchema<FinetuneParams>({
    type: 'object',
    additionalProperties: false,
    properties: recipeSchema({ epochs: 10, learningRate: 0.0001, patience: 3, minEpochs: 1 }),
  }),
  inputs,
  outputs: { model: { type: 'model', description: 'model.json + weights.bin, config.json, history.json' } },
  resources: { class: 'cpu-heavy' },
  tracked: true,
  // The implementation is imported when the stage runs, not when the plugin loads (start-up).
  run: async (ctx): Promise<StageResult | undefined> => (await import('./finetune-run.ts')).runFinetune(ctx),
});
