import type { Tfjs as Tf } from '@serx/core';
import type * as tfjs from '@tensorflow/tfjs';
import { type Initializer, serxLstmClass } from './lstm.ts';
import type { LstmImpl } from './lstm-sequence.ts';

/** Name of the encoder sub-model inside the CNN-LSTM (frozen / unfrozen as one block). */
export const ENCODER_LAYER = 'encoder';
export const EMBEDDING_LAYER = 'embedding';

export interface HeadConfig {
  /** LSTM units. */
  lstmUnits: number;
  /** Units of the dense "last hidden layer" (the embedding the analysis plots). */
  hiddenUnits: number;
  /** Class names, in the order of the softmax outputs. */
  classes: string[];
  lstmImpl?: LstmImpl;
}

/**
 * The CNN-LSTM of Parry et al. as the paper splits it (Figure 1): `encoder` (a structure's CNN,
 * MFCC `[batch, frames, numCeps, 1]` → bottleneck `[batch, steps, units]`) → LSTM → dense ReLU
 * (the last hidden layer) → softmax.
 *
 * Inputs: `mfcc` `[batch, frames, numCeps, 1]` and `frames` `[batch, 1]` (unpadded frame counts).
 * Outputs: `[probs, embedding]`.
 */
export function assembleCnnLstm(
  tf: Tf,
  encoder: tfjs.LayersModel,
  head: HeadConfig,
  options: { numCeps: number; timeStride: number; initializer: () => Initializer },
): tfjs.LayersModel {
  const mfcc = tf.input({ shape: [null, options.numCeps, 1], name: 'mfcc' });
  const frames = tf.input({ shape: [1], name: 'frames' });
  const named = renameModel(tf, encoder, ENCODER_LAYER);
  const bottleneck = named.apply(mfcc) as tfjs.SymbolicTensor;
  const SerxLstm = serxLstmClass(tf);
  const lstm = new SerxLstm({
    units: head.lstmUnits,
    timeStride: options.timeStride,
    impl: head.lstmImpl ?? 'auto',
    kernelInitializer: options.initializer(),
    recurrentInitializer: tf.initializers.orthogonal({ seed: seedOf(options.initializer()) }),
    name: 'lstm',
  }).apply([bottleneck, frames]) as tfjs.SymbolicTensor;
  const embedding = tf.layers
    .dense({
      units: head.hiddenUnits,
      activation: 'relu',
      kernelInitializer: options.initializer(),
      name: EMBEDDING_LAYER,
    })
    .apply(lstm) as tfjs.SymbolicTensor;
  const probs = tf.layers
    .dense({
      units: head.classes.length,
      activation: 'softmax',
      kernelInitializer: options.initializer(),
      name: 'probs',
    })
    .apply(embedding) as tfjs.SymbolicTensor;
  return tf.model({ inputs: [mfcc, frames], outputs: [probs, embedding], name: 'cnn_lstm' });
}

/** The encoder sub-model of an assembled (or loaded) CNN-LSTM. */
export function encoderOf(model: tfjs.LayersModel): tfjs.LayersModel {
  return model.getLayer(ENCODER_LAYER) as unknown as tfjs.LayersModel;
}

/** Wraps `encoder` under a fixed name so that the saved CNN-LSTM always finds it. */
function renameModel(tf: Tf, encoder: tfjs.LayersModel, name: string): tfjs.LayersModel {
  if (encoder.name === name) return encoder;
  const input = tf.input({ shape: encoder.inputs[0]?.shape.slice(1) as number[] });
  return tf.model({ inputs: input, outputs: encoder.apply(input) as tfjs.SymbolicTensor, name });
}

/** Seeds the orthogonal recurrent initialiser from the seeded Glorot sequence. */
function seedOf(init: Initializer): number {
  const config = init.getConfig() as { seed?: number };
  return config.seed ?? 0;
}
