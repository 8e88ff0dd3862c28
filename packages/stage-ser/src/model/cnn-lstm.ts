import type { Tf } from '@serx/tf-backend';
import type * as tfjs from '@tensorflow/tfjs';
import { serxDropoutClass, withConvDropout } from './dropout.ts';
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
  /** Dropout rates (0 = none): after conv blocks, on the LSTM input, on its recurrent kernel, before each dense layer. */
  dropout?: DropoutRates;
}

export interface DropoutRates {
  conv: number;
  lstmInput: number;
  lstmRecurrent: number;
  dense: number;
}

export const NO_DROPOUT: DropoutRates = { conv: 0, lstmInput: 0, lstmRecurrent: 0, dense: 0 };

/**
 * The CNN-LSTM of Parry et al. as the paper splits it (Figure 1): `encoder` (a structure's CNN,
 * MFCC `[batch, frames, numCeps, 1]` → bottleneck `[batch, steps, units]`) → LSTM → dense ReLU
 * (the last hidden layer) → softmax; with `head.dropout`, seeded dropout after the encoder's conv
 * blocks, on the LSTM input, on its recurrent kernel and before both dense layers.
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
  const rates = head.dropout ?? NO_DROPOUT;
  const Dropout = serxDropoutClass(tf);
  // salts: 1–99 the encoder's conv blocks, 100+ the head
  const drop = (rate: number, salt: number, x: tfjs.SymbolicTensor) =>
    rate > 0 ? (new Dropout({ rate, salt }).apply(x) as tfjs.SymbolicTensor) : x;
  const named = renameModel(tf, withConvDropout(tf, encoder, rates.conv, 1), ENCODER_LAYER);
  const bottleneck = drop(rates.lstmInput, 100, named.apply(mfcc) as tfjs.SymbolicTensor);
  const SerxLstm = serxLstmClass(tf);
  const lstm = new SerxLstm({
    units: head.lstmUnits,
    timeStride: options.timeStride,
    impl: head.lstmImpl ?? 'auto',
    recurrentDropout: rates.lstmRecurrent,
    salt: 101,
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
    .apply(drop(rates.dense, 102, lstm)) as tfjs.SymbolicTensor;
  const probs = tf.layers
    .dense({
      units: head.classes.length,
      activation: 'softmax',
      kernelInitializer: options.initializer(),
      name: 'probs',
    })
    .apply(drop(rates.dense, 103, embedding)) as tfjs.SymbolicTensor;
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
