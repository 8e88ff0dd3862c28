import { createHash } from 'node:crypto';
import { type Artifact, defineStage, mixSeed, paramsSchema, SerxError } from '@serx/core';
import { buildStructure, getEncoderStructure, loadEncoder, useNativeReluGrad } from '@serx/stage-autoencoder';
import { loadTensorflow, type Tfjs as Tf } from '@serx/tf-backend';
import { lcm } from '@serx/training';
import type * as tfjs from '@tensorflow/tfjs';
import { openTrainingData } from '../data/training-data.ts';
import { assembleCnnLstm } from '../model/cnn-lstm.ts';
import type { ModelConfig } from '../model/config.ts';
import { writeModelArtifact } from '../model/write-model.ts';
import { resolveClassWeights } from '../training/class-weights.ts';
import { trainSer } from '../training/trainer.ts';
import { type TrainParams, trainParamsSchema } from './train-params.ts';
import { fitSettingsOf, specAugmentOf } from './training-params.ts';

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
  codeDependencies: (p) => [getEncoderStructure(p.structure.name)],
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
    const dataArtifacts = ctx.inputs.data;
    const encoderArtifact = ctx.inputs.encoder;
    if (p.strategy !== 'scratch' && !encoderArtifact) {
      throw new SerxError(
        'SPEC_INPUT_MISSING',
        `${ctx.id}: strategy '${p.strategy}' needs the 'encoder' input (an autoencoder:pretrain encoder)`,
      );
    }
    const { tf, backend } = await loadTensorflow({ threads: ctx.threads });
    useNativeReluGrad(tf);
    ctx.metrics.tag('backend', backend);
    const data = await openTrainingData(ctx, dataArtifacts, p.classes);
    try {
      const { classes, train, validation, dims } = data;
      const { encoder, structure, timeStride } = await prepareEncoder(tf, p, encoderArtifact, dims, ctx.seed);
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
      const labels = train.examples.map((e) => e.label);
      const classWeights = resolveClassWeights(p.classWeights, labels, classes);
      const padMultiple = lcm(timeStride, p.padMultiple);
      const fingerprint = createHash('sha256')
        .update(
          JSON.stringify({
            p,
            seed: ctx.seed,
            data: dataArtifacts.map((a) => a.hash),
            encoder: encoderArtifact?.hash ?? null,
          }),
        )
        .digest('hex');
      const { history } = await trainSer({
        tf,
        model,
        train: train.examples,
        validation: validation.examples,
        numClasses: classes.length,
        settings: {
          fit: fitSettingsOf(p, ctx.seed),
          batchSize: p.batchSize,
          classWeights,
          batch: { numCeps: dims, minFrames: p.minFrames, maxFrames: p.maxFrames, multipleOf: padMultiple },
          poolBatches: 32,
          specAugment: specAugmentOf(p),
          selection: p.selection.metric,
          trainEncoder: p.strategy === 'scratch',
        },
        workDir: ctx.workDir,
        fingerprint,
        hooks: ctx,
      });
      const config: ModelConfig = {
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
      };
      const result = await writeModelArtifact(ctx, tf, model, config, history);
      ctx.metrics.tag('strategy', p.strategy);
      ctx.metrics.tag('structure', structure.name);
      model.dispose();
      return result;
    } finally {
      data.close();
    }
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
