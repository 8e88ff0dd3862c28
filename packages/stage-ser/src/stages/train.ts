import {
  defineStage,
  type InputSpecs,
  paramsSchema,
  type StageContext,
  type StageResult,
} from '@serx/core/stage';
import { getEncoderStructure } from '@serx/stage-autoencoder/structures';
import { serxKernelsSource } from '@serx/tf-backend/plugin-hooks';
import { type TrainParams, trainParamsSchema } from './train-params.ts';

export type { TrainParams };

const inputs = {
  data: {
    type: 'features',
    many: true,
    fits: true,
    description: 'split=train rows train, split=validation rows select',
  },
  encoder: {
    type: 'encoder',
    optional: true,
    description: 'pretrained encoder (strategy frozen)',
  },
} as const satisfies InputSpecs;

/** What the stage's run (train-run.ts) receives. */
export type TrainContext = StageContext<TrainParams, typeof inputs>;

/**
 * `ser:train`: trains the CNN-LSTM on the `train` rows of all `data` inputs, selects the epoch on
 * their `validation` rows (UA averaged over corpora by default), and writes the model (tfjs format),
 * its config and history.
 */
export const train = defineStage({
  name: 'ser:train',
  version: '2',
  description: 'CNN-LSTM emotion classifier: from scratch or on a frozen pretrained encoder',
  // The structure's source is part of the key (the encoder input of a frozen model has it already).
  // serx's native kernels (fused LSTM, conv/dense ops, Adam) are loaded with require: named here.
  codeDependencies: (p) => [getEncoderStructure(p.structure.name), serxKernelsSource],
  params: paramsSchema<TrainParams>(trainParamsSchema),
  inputs,
  outputs: { model: { type: 'model', description: 'model.json + weights.bin, config.json, history.json' } },
  resources: { class: 'cpu-heavy' },
  tracked: true,
  // The implementation is imported when the stage runs, not when the plugin loads (start-up).
  run: async (ctx): Promise<StageResult | undefined> => (await import('./train-run.ts')).runTrain(ctx),
});
