import { defineStage, paramsSchema, SerxError } from '@serx/core';
import { serxKernelsSource } from '@serx/tf-backend';
import { loadTrainedModel } from '../model/config.ts';
import { runModelTraining } from './model-training.ts';
import { type RecipeParams, recipeSchema } from './recipe-params.ts';

/** Params of `ser:finetune`: the recipe of `ser:train`, with fine-tuning defaults. */
export type FinetuneParams = RecipeParams;

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
  inputs: {
    model: { type: 'model', description: 'the ser:train model to continue (e.g. ser_frozen.model)' },
    data: {
      type: 'features',
      many: true,
      fits: true,
      description: 'split=train rows train, split=validation rows select',
    },
  },
  outputs: { model: { type: 'model', description: 'model.json + weights.bin, config.json, history.json' } },
  resources: { class: 'cpu-heavy' },
  tracked: true,
  async run(ctx) {
    const p = ctx.params;
    const initial = ctx.inputs.model;
    return runModelTraining(ctx, p, ctx.inputs.data, async (tf) => {
      const { model, config: start } = await loadTrainedModel(tf, initial.path);
      return {
        classes: start.classes,
        dispose: () => model.dispose(),
        prepare(data) {
          if (data.dims !== start.numCeps) {
            throw new SerxError(
              'INPUT_DATA',
              `${ctx.id}: model ${initial.path} takes ${start.numCeps} coefficients per frame, the features have ${data.dims}`,
            );
          }
          return {
            model,
            batch: {
              numCeps: start.numCeps,
              minFrames: start.minFrames,
              maxFrames: start.maxFrames,
              padMultiple: start.padMultiple,
            },
            trainEncoder: true,
            validateStart: true,
            origin: { model: initial.hash },
            tags: { strategy: 'finetune', structure: start.structure.name },
            config: ({ history, classWeights }) => ({
              ...start,
              strategy: 'finetune',
              classWeights,
              seed: ctx.seed,
              bestEpoch: history.bestEpoch,
              selection: history.monitor.key,
              epochsRun: history.epochs.length,
              trainCorpora: data.trainCorpora,
              counts: data.counts,
              initialModel: initial.hash,
            }),
          };
        },
      };
    });
  },
});
