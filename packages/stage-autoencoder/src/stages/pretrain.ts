import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineStage, type Json, paramsSchema } from '@serx/core';
import { loadTensorflow, serxKernelsSource } from '@serx/tf-backend';
import { planEvaluation, reportEpoch, trainingFingerprint } from '@serx/training';
import { writeEncoderArtifact } from '../encoder-artifact.ts';
import { buildStructure } from '../structures/build.ts';
import { getEncoderStructure } from '../structures/registry.ts';
import { holdOut, openCorpus } from '../training/corpus.ts';
import { useNativeReluGrad } from '../training/native-gradients.ts';
import { reconstructSamples } from '../training/reconstruction.ts';
import { type AutoencoderEpoch, evaluateAutoencoder, trainAutoencoder } from '../training/trainer.ts';

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
  inputs: {
    features: { type: 'features', many: true, fits: true, description: 'unlabelled MFCC feature stores' },
  },
  outputs: {
    encoder: { type: 'encoder', description: 'tfjs encoder + decoder, structure.json, history.json' },
    reconstruction: {
      type: 'reconstruction',
      description: 'Figure 2 samples and held-out reconstruction MSE',
    },
  },
  resources: { class: 'cpu-heavy' },
  tracked: true,
  async run(ctx) {
    const p = ctx.params;
    const { tf, backend, threads } = await loadTensorflow({ threads: ctx.threads });
    const reluGrad = useNativeReluGrad(tf);
    ctx.log.info(
      `TensorFlow backend: ${backend}, ${threads} thread(s)${reluGrad ? ', native ReluGrad' : ''}`,
    );
    const inputs = ctx.inputs.features;
    const corpus = await openCorpus(
      inputs.map((a) => a.path),
      { heldOut: ctx.heldOut, ...(p.limit ? { limit: p.limit } : {}) },
    );
    const built = buildStructure(
      tf,
      { name: p.structure, params: p.structureParams },
      {
        numCeps: corpus.numCeps,
        seed: ctx.seed,
        specPath: `${ctx.id}.params.structureParams`,
      },
    );
    const models = { encoder: built.encoder, decoder: built.decoder!, timeStride: built.timeStride };
    try {
      const split = holdOut(corpus.size, p.validationFraction, ctx.seed);
      ctx.log.info(
        `${built.ref.name}: ${built.encoder.countParams()} encoder parameters; ${split.train.length} training / ${split.validation.length} held-out utterances`,
      );
      const config = { ...p, seed: ctx.seed };
      const fingerprint = trainingFingerprint({
        params: p,
        structure: built.ref,
        seed: ctx.seed,
        inputs: inputs.map((a) => a.hash),
      });
      const { history } = await trainAutoencoder({
        tf,
        corpus,
        ...split,
        models,
        config,
        checkpoint: { workDir: ctx.workDir, fingerprint },
        signal: ctx.signal,
        onResume: (epoch) => ctx.log.info(`resuming from the checkpoint after epoch ${epoch}`),
        onEpochStart: (_epoch, batches, label) => ctx.progress.total(batches, label),
        onBatch: () => ctx.progress.tick(),
        onEpoch: (record, seconds) =>
          reportEpoch(record, seconds, {
            metrics: ctx.metrics,
            log: ctx.log,
            untracked: ['lr', 'batches'],
            epochs: p.epochs,
            summary: describeEpoch(record as AutoencoderEpoch),
          }),
      });
      const result = { bestEpoch: history.bestEpoch, epochsRun: history.epochs.length };
      await writeEncoderArtifact(tf, ctx.outputs.encoder!, built, corpus.numCeps, history as unknown as Json);
      ctx.metrics.artifact(join(ctx.outputs.encoder!, 'history.json'));

      const evaluated = split.validation.length > 0 ? split.validation : split.train;
      const heldOut = evaluateAutoencoder(
        tf,
        corpus,
        planEvaluation(evaluated, corpus.frames, p.batchSize),
        models,
        config,
      );
      const samples = reconstructSamples(tf, corpus, evaluated.slice(0, p.samples), models, p);
      const summary = {
        slice: split.validation.length > 0 ? 'held-out' : 'training',
        utterances: evaluated.length,
        mse: heldOut.mse,
        l1: heldOut.l1,
        loss: heldOut.loss,
        bestEpoch: result.bestEpoch,
      };
      const dir = ctx.outputs.reconstruction!;
      await writeFile(join(dir, 'metrics.json'), `${JSON.stringify(summary, null, 2)}\n`);
      await writeFile(join(dir, 'samples.json'), `${JSON.stringify({ numCeps: corpus.numCeps, samples })}\n`);
      ctx.metrics.artifact(join(dir, 'metrics.json'));
      return {
        meta: {
          encoder: {
            structure: built.ref.name,
            units: built.units,
            timeStride: built.timeStride,
            numCeps: corpus.numCeps,
            bestEpoch: result.bestEpoch,
          },
          reconstruction: { mse: heldOut.mse, utterances: evaluated.length },
        },
        metrics: {
          reconstruction_mse: heldOut.mse,
          best_epoch: result.bestEpoch,
          epochs_run: result.epochsRun,
        },
      };
    } finally {
      corpus.close();
      built.encoder.dispose();
      built.decoder?.dispose();
    }
  },
});

/** The log line of an epoch after `epoch N/M: `. */
function describeEpoch(r: AutoencoderEpoch): string {
  const held =
    r.val_loss === undefined ? '' : `, held-out ${r.val_loss.toFixed(4)} (mse ${r.val_mse!.toFixed(4)})`;
  return `loss ${r.loss.toFixed(4)} (mse ${r.mse.toFixed(4)}, l1 ${r.l1.toFixed(4)})${held}`;
}
