import { mixSeed, SerxError } from '@serx/core';
import { executeNative, serxKernelsAvailable, type Tf } from '@serx/tf-backend';
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

/**
 * A `{0, 1/(1-rate)}` mask of `shape` drawn from `seed`: `tf.randomUniform(shape, 0, 1, 'float32',
 * seed) >= rate`, cast and divided by `1 - rate`, byte for byte. With serx's native kernels it is one
 * op (`SerxKeepMask`: the same Alea stream, comparison and division in C, straight into TensorFlow
 * memory); otherwise the comparison runs in JavaScript in one pass over the stream ({@link keepFlags})
 * and only the boolean flags go to TensorFlow, cast and divided there (an uploaded JS float buffer is
 * shared with TensorFlow and would stay alive, as V8 external memory, until the backward pass).
 * tfjs' own `randomUniform` fills a float buffer value by value through seedrandom's closures, a
 * third of a regularised CNN-LSTM step. `native: false` forces the JavaScript path.
 */
export function keepMask(
  tf: Tf,
  shape: number[],
  rate: number,
  seed: number,
  options: { native?: boolean } = {},
): tfjs.Tensor {
  if (options.native !== false && serxKernelsAvailable(tf)) {
    return tf.tidy(() => {
      const [mask] = executeNative(
        tf,
        'SerxKeepMask',
        (b) => [
          { name: 'rate', type: b.TF_ATTR_FLOAT, value: rate },
          { name: 'keep', type: b.TF_ATTR_FLOAT, value: 1 - rate },
        ],
        [tf.tensor1d(shape, 'int32'), tf.tensor1d(Int32Array.from(aleaState(seed)), 'int32')],
        1,
      );
      return mask!;
    });
  }
  return tf.tidy(() => {
    const flags = tf.tensor(
      keepFlags(
        shape.reduce((a, b) => a * b, 1),
        rate,
        seed,
      ),
      shape,
      'bool',
    );
    return tf.div(tf.cast(flags, 'float32'), 1 - rate);
  });
}

/**
 * The state seedrandom's `alea(String(seed))` starts from, as the three 32-bit integers `x` of its
 * values `x / 2^32` (Baagøe's Mash, as in seedrandom/lib/alea.js); the carry starts at 1.
 */
function aleaState(seed: number): [number, number, number] {
  let n = 0xefc8249d;
  const mash = (data: string): number => {
    for (let i = 0; i < data.length; i++) {
      n += data.charCodeAt(i);
      let h = 0.02519603282416938 * n;
      n = h >>> 0;
      h -= n;
      h *= n;
      n = h >>> 0;
      h -= n;
      n += h * 0x100000000;
    }
    return (n >>> 0) * 2.3283064365386963e-10;
  };
  const key = String(seed);
  let s0 = mash(' ');
  let s1 = mash(' ');
  let s2 = mash(' ');
  s0 -= mash(key);
  if (s0 < 0) s0 += 1;
  s1 -= mash(key);
  if (s1 < 0) s1 += 1;
  s2 -= mash(key);
  if (s2 < 0) s2 += 1;
  const TWO_32 = 4294967296;
  return [s0 * TWO_32, s1 * TWO_32, s2 * TWO_32];
}

/**
 * `randomUniform(seed) >= rate` as 0/1 bytes: seedrandom's `alea(String(seed))` stream (tfjs'
 * `UniformRandom` with min 0 and range 1 draws exactly its values), each rounded to float32 and
 * compared with `fround(rate)` as TensorFlow's float32 `GreaterEqual` does.
 */
export function keepFlags(size: number, rate: number, seed: number): Uint8Array {
  let c = 1;
  const threshold = Math.fround(rate);
  const out = new Uint8Array(size);
  // Alea is a lag-3 multiply-with-carry generator: every s is an integer x / 2^32 and
  // t = 2091639·s0 + c·2^-32 = (2091639·x0 + c) / 2^32 exactly (the numerator stays below 2^53), so
  // c' = floor(t) and s' = t - c' are the carry and the low 32 bits of 2091639·x0 + c. Splitting the
  // product into its high and low words off the carry's path, the carry almost never changes the
  // high word (a branch the CPU predicts), which takes the float→int conversions out of the serial
  // dependency between consecutive draws: 2-3× faster, the same values.
  const TWO_32 = 4294967296;
  const INV_32 = 2.3283064365386963e-10;
  let [x0, x1, x2] = aleaState(seed);
  for (let i = 0; i < size; i++) {
    const product = 2091639 * x0;
    const high = Math.floor(product * INV_32);
    let x = product - high * TWO_32 + c;
    c = high;
    if (x >= TWO_32) {
      x -= TWO_32;
      c = high + 1;
    }
    x0 = x1;
    x1 = x2;
    x2 = x;
    if (Math.fround(x * INV_32) >= threshold) out[i] = 1;
  }
  return out;
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
