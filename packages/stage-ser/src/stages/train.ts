import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Artifact, defineStage, loadTensorflow, mixSeed, SerxError, type Tfjs as Tf } from '@serx/core';
import { buildStructure, getEncoderStructure, loadEncoder, saveModel, useNativeReluGrad } from '@serx/stage-autoencoder';
import type * as tfjs from '@tensorflow/tfjs';
import { lcm } from '../data/batches.ts';
import { classesOf, examplesOf, openInputs, refuseHeldOut } from '../data/select.ts';
import { assembleCnnLstm } from '../model/cnn-lstm.ts';
import { CONFIG_FILE, HISTORY_FILE, type ModelConfig } from '../model/config.ts';
import { resolveClassWeights } from '../training/class-weights.ts';
import { type Phase, trainLoop } from '../training/trainer.ts';
import { type TrainParams, trainParamsSchema } from './train-params.ts';

export type { TrainParams };

/**
 * `ser:train`: trains the CNN-LSTM on the `train` rows of all `data` inputs, selects the epoch on
 * their `validation` rows (UA), and writes the model (tfjs format), its config and history.
 */
export const train = defineStage<TrainParams>({
  name: 'ser:train',
  version: '1',
  description: 'CNN-LSTM emotion classifier: scratch, frozen pretrained encoder, or fine-tuned',
  // The structure's source is part of the key (the encoder input of a frozen model has it already).
  codeDependencies: (p) => [getEncoderStructure(p.structure.name)],
  params: trainParamsSchema,
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
      description: 'pretrained encoder (strategies frozen, finetune)',
    },
  },
  outputs: { model: { type: 'model', description: 'model.json + weights.bin, config.json, history.json' } },
  resources: { class: 'cpu-heavy' },
  tracked: true,
  async run(ctx) {
    const p = ctx.params;
    const dataArtifacts = ctx.inputs.data as readonly Artifact[];
    const encoderArtifact = ctx.inputs.encoder as Artifact | undefined;
    if (p.strategy !== 'scratch' && !encoderArtifact) {
      throw new SerxError(
        'SPEC_INPUT_MISSING',
        `${ctx.id}: strategy '${p.strategy}' needs the 'encoder' input (an autoencoder:pretrain encoder)`,
      );
    }
    const { tf, backend } = await loadTensorflow({ threads: ctx.threads });
    useNativeReluGrad(tf);
    const inputs = await openInputs(dataArtifacts);
    try {
      refuseHeldOut(ctx.id, dataArtifacts, inputs.stores, ctx.heldOut);
      const classes = p.classes ?? classesOf(inputs.stores, ['train']);
      const train = examplesOf(inputs.stores, 'train', classes);
      const validation = examplesOf(inputs.stores, 'validation', classes);
      if (train.examples.length === 0 || validation.examples.length === 0) {
        throw new SerxError(
          'INPUT_DATA',
          `${ctx.id}: needs split=train and split=validation rows; got ${train.examples.length} and ${validation.examples.length}`,
        );
      }
      const labels = train.examples.map((e) => e.label);
      const empty = classes.filter((_, k) => !labels.includes(k));
      if (empty.length > 0)
        throw new SerxError('INPUT_DATA', `${ctx.id}: no training rows of class(es) ${empty.join(', ')}`);
      ctx.log.info(
        `${train.examples.length} training / ${validation.examples.length} validation utterances, classes [${classes.join(', ')}], backend ${backend}`,
      );

      const { encoder, structure, timeStride } = await prepareEncoder(
        tf,
        p,
        encoderArtifact,
        inputs.dims,
        ctx.seed,
      );
      let k = 0;
      const headSeed = mixSeed(ctx.seed, 0x4ead);
      const model = assembleCnnLstm(
        tf,
        encoder,
        { lstmUnits: p.lstmUnits, hiddenUnits: p.hiddenUnits, classes, lstmImpl: p.lstmImpl },
        {
          numCeps: inputs.dims,
          timeStride,
          initializer: () => tf.initializers.glorotUniform({ seed: headSeed + k++ }),
        },
      );
      const classWeights = resolveClassWeights(p.classWeights, labels, classes);
      const phases: Phase[] = [
        {
          name: 'train',
          encoderTrainable: p.strategy === 'scratch',
          learningRate: p.learningRate,
          epochs: p.epochs,
        },
        ...(p.strategy === 'finetune'
          ? [
              {
                name: 'finetune' as const,
                encoderTrainable: true,
                learningRate: p.finetuneLearningRate,
                epochs: p.finetuneEpochs,
              },
            ]
          : []),
      ];
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
      const outcome = await trainLoop({
        tf,
        model,
        train: train.examples,
        validation: validation.examples,
        numClasses: classes.length,
        settings: {
          phases,
          batchSize: p.batchSize,
          patience: p.patience,
          classWeights,
          batch: {
            numCeps: inputs.dims,
            minFrames: p.minFrames,
            maxFrames: p.maxFrames,
            multipleOf: lcm(timeStride, p.padMultiple),
          },
          poolBatches: 32,
        },
        seed: ctx.seed,
        workDir: ctx.workDir,
        fingerprint,
        hooks: ctx,
      });

      const dir = ctx.outputs.model as string;
      await saveModel(tf, model, dir);
      const config: ModelConfig = {
        format: 'serx-ser-model/1',
        strategy: p.strategy,
        structure,
        timeStride,
        numCeps: inputs.dims,
        classes,
        lstmUnits: p.lstmUnits,
        hiddenUnits: p.hiddenUnits,
        minFrames: p.minFrames,
        maxFrames: p.maxFrames,
        padMultiple: lcm(timeStride, p.padMultiple),
        classWeights,
        seed: ctx.seed,
        bestEpoch: outcome.bestEpoch,
        bestValUa: outcome.bestValUa,
        epochsRun: outcome.history.length,
        trainCorpora: [...new Set(train.examples.map((e) => e.row.corpus))].sort(),
        counts: {
          train: train.examples.length,
          validation: validation.examples.length,
          unlabelledSkipped: train.unlabelled + validation.unlabelled,
        },
        encoderArtifact: encoderArtifact?.hash ?? null,
        backend,
      };
      await writeFile(join(dir, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
      await writeFile(
        join(dir, HISTORY_FILE),
        `${JSON.stringify({ bestEpoch: outcome.bestEpoch, epochs: outcome.history }, null, 2)}\n`,
      );
      ctx.metrics.artifact(join(dir, CONFIG_FILE));
      ctx.metrics.artifact(join(dir, HISTORY_FILE));
      ctx.metrics.tag('strategy', p.strategy);
      ctx.metrics.tag('structure', structure.name);
      model.dispose();
      return {
        meta: {
          model: {
            classes,
            strategy: p.strategy,
            structure: structure.name,
            embeddingDims: p.hiddenUnits,
            bestEpoch: outcome.bestEpoch,
          },
        },
        metrics: {
          best_val_ua: outcome.bestValUa,
          best_epoch: outcome.bestEpoch,
          epochs_run: outcome.history.length,
        },
      };
    } finally {
      inputs.close();
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
