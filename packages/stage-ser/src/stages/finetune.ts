import { createHash } from 'node:crypto';
import { defineStage, paramsSchema, SerxError } from '@serx/core';
import { useNativeReluGrad } from '@serx/stage-autoencoder';
import { loadTensorflow } from '@serx/tf-backend';
import { openTrainingData } from '../data/training-data.ts';
import { loadTrainedModel, type ModelConfig } from '../model/config.ts';
import { writeModelArtifact } from '../model/write-model.ts';
import { resolveClassWeights } from '../training/class-weights.ts';
import { trainSer } from '../training/trainer.ts';
import { fitSettingsOf, type RecipeParams, recipeSchema, specAugmentOf } from './training-params.ts';

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
    const dataArtifacts = ctx.inputs.data;
    const { tf, backend } = await loadTensorflow({ threads: ctx.threads });
    useNativeReluGrad(tf);
    ctx.metrics.tag('backend', backend);
    const { model, config: start } = await loadTrainedModel(tf, initial.path);
    const data = await openTrainingData(ctx, dataArtifacts, start.classes);
    try {
      if (data.dims !== start.numCeps) {
        throw new SerxError(
          'INPUT_DATA',
          `${ctx.id}: model ${initial.path} takes ${start.numCeps} coefficients per frame, the features have ${data.dims}`,
        );
      }
      const labels = data.train.examples.map((e) => e.label);
      const classWeights = resolveClassWeights(p.classWeights, labels, start.classes);
      const fingerprint = createHash('sha256')
        .update(
          JSON.stringify({ p, seed: ctx.seed, data: dataArtifacts.map((a) => a.hash), model: initial.hash }),
        )
        .digest('hex');
      const { history } = await trainSer({
        tf,
        model,
        train: data.train.examples,
        validation: data.validation.examples,
        numClasses: start.classes.length,
        settings: {
          fit: fitSettingsOf(p, ctx.seed),
          batchSize: p.batchSize,
          classWeights,
          batch: {
            numCeps: start.numCeps,
            minFrames: start.minFrames,
            maxFrames: start.maxFrames,
            multipleOf: start.padMultiple,
          },
          poolBatches: 32,
          specAugment: specAugmentOf(p),
          selection: p.selection.metric,
          trainEncoder: true,
        },
        validateStart: true,
        workDir: ctx.workDir,
        fingerprint,
        hooks: ctx,
      });
      const config: ModelConfig = {
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
      };
      const result = await writeModelArtifact(ctx, tf, model, config, history);
      ctx.metrics.tag('strategy', 'finetune');
      ctx.metrics.tag('structure', start.structure.name);
      model.dispose();
      return result;
    } finally {
      data.close();
    }
  },
});
