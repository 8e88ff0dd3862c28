import { mixSeed, SerxError } from '@serx/core';
import type { Tfjs as Tf } from '@serx/tf-backend';
import type * as tfjs from '@tensorflow/tfjs';

/** Serialised class name of the seeded dropout layer (in `model.json`). */
export const SERX_DROPOUT_CLASS = 'SerxDropout';

/**
 * A layer whose training-time noise is drawn from `noiseSeed` (set per batch by
 * {@link setNoiseSeed}) mixed with its own `salt`. tfjs' `Dropout` either draws from `Math.random`
 * (not reproducible) or, given a seed, draws the same mask at every step.
 */
export interface SeededNoise {
  noiseSeed: number;
  readonly salt: number;
}

export interface SerxDropoutArgs {
  rate: number;
  /** Distinguishes this layer's masks from the other noisy layers' at the same step. */
  salt: number;
  name?: string;
}

type LayerClass = new (args: SerxDropoutArgs) => tfjs.layers.Layer & SeededNoise;
const classes = new WeakMap<object, LayerClass>();

/** Inverted dropout: at training, each value is zeroed with probability `rate`, the rest scaled by 1/(1-rate). */
export function serxDropoutClass(tf: Tf): LayerClass {
  const existing = classes.get(tf);
  if (existing) return existing;

  class SerxDropout extends tf.layers.Layer implements SeededNoise {
    static className = SERX_DROPOUT_CLASS;
    readonly rate: number;
    readonly salt: number;
    noiseSeed = 0;

    constructor(args: SerxDropoutArgs) {
      super(args);
      this.rate = args.rate;
      this.salt = args.salt;
    }

    override call(inputs: tfjs.Tensor | tfjs.Tensor[], kwargs: { training?: boolean }): tfjs.Tensor {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tfjs.Tensor;
      if (!kwargs.training || this.rate <= 0) return x;
      return tf.tidy(() => tf.mul(x, keepMask(tf, x.shape, this.rate, mixSeed(this.noiseSeed, this.salt))));
    }

    override getConfig(): tfjs.serialization.ConfigDict {
      return { ...super.getConfig(), rate: this.rate, salt: this.salt };
    }
  }
  tf.serialization.registerClass(SerxDropout);
  classes.set(tf, SerxDropout);
  return SerxDropout;
}

/** A `{0, 1/(1-rate)}` mask of `shape` drawn from `seed`. */
export function keepMask(tf: Tf, shape: number[], rate: number, seed: number): tfjs.Tensor {
  return tf.tidy(() =>
    tf.div(
      tf.cast(tf.greaterEqual(tf.randomUniform(shape, 0, 1, 'float32', seed), rate), 'float32'),
      1 - rate,
    ),
  );
}

/** Sets the noise seed of every seeded-noise layer of `model`, nested models included. */
export function setNoiseSeed(model: tfjs.LayersModel, seed: number): void {
  for (const layer of model.layers) {
    if ('noiseSeed' in layer) (layer as unknown as SeededNoise).noiseSeed = seed;
    if ('layers' in layer) setNoiseSeed(layer as unknown as tfjs.LayersModel, seed);
  }
}

const CONV = /^(Conv1D|Conv2D|SeparableConv2D|DepthwiseConv2D)$/;
const BLOCK_TAIL = /^(BatchNormalization|Activation|ReLU|LeakyReLU|ELU|MaxPooling[12]D|AveragePooling[12]D)$/;

/**
 * The encoder with a {@link SerxDropout} after each convolution block (a convolution and the
 * normalisation, activation and pooling layers right after it). The layers, and so the weights,
 * are the encoder's own; only the wiring is new. Needs an encoder whose layers form a chain.
 */
export function withConvDropout(
  tf: Tf,
  encoder: tfjs.LayersModel,
  rate: number,
  firstSalt: number,
): tfjs.LayersModel {
  if (rate <= 0) return encoder;
  const Dropout = serxDropoutClass(tf);
  const layers = encoder.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const input = tf.input({ shape: encoder.inputs[0]?.shape.slice(1) as number[] });
  let x: tfjs.SymbolicTensor = input;
  let salt = firstSalt;
  let inBlock = false;
  layers.forEach((layer, i) => {
    const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
    const previous = i === 0 ? encoder.layers.find((l) => l.getClassName() === 'InputLayer') : layers[i - 1];
    if (inbound.length !== 1 || inbound[0] !== previous) {
      throw new SerxError(
        'SPEC_PARAMS',
        `dropout.conv: encoder '${encoder.name}' is not a chain of layers (layer '${layer.name}'); set dropout.conv to 0 for this structure`,
      );
    }
    x = layer.apply(x) as tfjs.SymbolicTensor;
    if (CONV.test(layer.getClassName())) inBlock = true;
    else if (!BLOCK_TAIL.test(layer.getClassName())) inBlock = false;
    const next = layers[i + 1];
    if (inBlock && !(next && BLOCK_TAIL.test(next.getClassName()))) {
      x = new Dropout({ rate, salt: salt++ }).apply(x) as tfjs.SymbolicTensor;
      inBlock = false;
    }
  });
  return tf.model({ inputs: input, outputs: x, name: encoder.name });
}
