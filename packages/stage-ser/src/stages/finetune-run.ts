import { SerxError } from '@serx/core';
import { loadTrainedModel } from '../model/config.ts';
import type { FinetuneContext } from './finetune.ts';
import { runModelTraining } from './model-training.ts';

/** `finetune`'s run (the definition is in finetune.ts). */
export async function runFinetune(ctx: FinetuneContext) {
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
}
