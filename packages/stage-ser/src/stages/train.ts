import { type Artifact, defineStage, mixSeed, paramsSchema, SerxError } from '@serx/core';
import { buildStructure, getEncoderStructure, loadEncoder } from '@serx/stage-autoencoder';
import { serxKernelsSource, type Tf } from '@serx/tf-backend';
import { lcm } from '@serx/training';
import type * as tfjs from '@tensorflow/tfjs';
import { assembleCnnLstm } from '../model/cnn-lstm.ts';
import type { ModelConfig } from '../model/config.ts';
import { runModelTraining } from './model-training.ts';
import { type TrainParams, trainParamsSchema } from './train-params.ts';

export type { TrainParams };

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
  inputs: {
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
  },
  outputs: { model: { type: 'model', description: 'model.json + weights.bin, config.json, history.json' } },
  resources: { class: 'cpu-heavy' },
  tracked: true,
  async run(ctx) {
    const p = ctx.params;
    const encoderArtifact = ctx.inputs.encoder;
    if (p.strategy !== 'scratch' && !encoderArtifact) {
      throw new SerxError(
        'SPEC_INPUT_MISSING',
        `${ctx.id}: strategy '${p.strategy}' needs the 'encoder' input (an autoencoder:pretrain encoder)`,
      );
    }
    return runModelTraining(ctx, p, ctx.inputs.data, async (tf) => ({
      classes: p.classes,
      async prepare(data) {
        const { classes, dims } = data;
        const { encoder, structure, timeStride } = await prepareEncoder(
          tf,
          p,
          encoderArtifact,
          dims,
          ctx.seed,
        );
        let k = 0;
        const headSeed = mixSeed(ctx.seed, 0x4ead);
        const model = assembleCnnLstm(
          tf,
          encoder,
          {
            lstmUnits: p.lstmUnits,
            hiddenUnits: p.hiddenUnits,
            classes,
            lstmImpl: p.lstmImpl,
            dropout: p.dropout,
          },
          {
            numCeps: dims,
            timeStride,
            initializer: () => tf.initializers.glorotUniform({ seed: headSeed + k++ }),
          },
        );
        const padMultiple = lcm(timeStride, p.padMultiple);
        return {
          model,
          batch: { numCeps: dims, minFrames: p.minFrames, maxFrames: p.maxFrames, padMultiple },
          trainEncoder: p.strategy === 'scratch',
          validateStart: false,
          origin: { encoder: encoderArtifact?.hash ?? null },
          tags: { strategy: p.strategy, structure: structure.name },
          config: ({ history, classWeights }) => ({
            format: 'serx-ser-model/1',
            strategy: p.strategy,
            structure,
            timeStride,
            numCeps: dims,
            classes,
            lstmUnits: p.lstmUnits,
            hiddenUnits: p.hiddenUnits,
            dropout: p.dropout,
            minFrames: p.minFrames,
            maxFrames: p.maxFrames,
            padMultiple,
            classWeights,
            seed: ctx.seed,
            bestEpoch: history.bestEpoch,
            selection: history.monitor.key,
            epochsRun: history.epochs.length,
            trainCorpora: data.trainCorpora,
            counts: data.counts,
            encoderArtifact: encoderArtifact?.hash ?? null,
            initialModel: null,
          }),
        };
      },
    }));
  },
});

async function prepareEncoder(
  tf: Tf,
  p: TrainParams,
  artifact: Artifact | undefined,
  numCeps: number,
  seed: number,
) {
  let encoder: tfjs.LayersModel;
  let structure: ModelConfig['structure'];
  let timeStride: number;
  if (p.strategy === 'scratch' || !artifact) {
    const built = buildStructure(tf, p.structure, { numCeps, seed, decoder: false });
    ({ encoder, timeStride } = built);
    structure = built.ref;
  } else {
    const loaded = await loadEncoder(tf, artifact.path);
    if (loaded.structure.numCeps !== numCeps) {
      throw new SerxError(
        'INPUT_DATA',
        `encoder ${artifact.path} was pretrained on ${loaded.structure.numCeps} coefficients per frame, the features have ${numCeps}`,
      );
    }
    ({ encoder } = loaded);
    structure = { name: loaded.structure.name, params: loaded.structure.params };
    timeStride = loaded.structure.timeStride;
  }
  return { encoder, structure, timeStride };
}
