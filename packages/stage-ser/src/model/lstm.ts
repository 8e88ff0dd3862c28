import { mixSeed } from '@serx/core';
import type { Tf } from '@serx/tf-backend';
import type * as tfjs from '@tensorflow/tfjs';
import { keepMask, type SeededNoise } from './dropout.ts';
import { type LstmImpl, lstmSequence } from './lstm-sequence.ts';

/** A tfjs-layers initialiser, as a layer's `kernelInitializer` accepts it. */
export type Initializer = ReturnType<Tf['initializers']['glorotUniform']>;

export interface SerxLstmArgs {
  units: number;
  /** Input frames per bottleneck step: turns the frame count input into a step count. */
  timeStride: number;
  /** How the recurrence runs (see {@link LstmImpl}); default `auto`. Not part of the maths. */
  impl?: LstmImpl;
  kernelInitializer?: Initializer;
  recurrentInitializer?: Initializer;
  /**
   * DropConnect on the recurrent kernel at training (AWD-LSTM's weight drop): each entry of
   * `recurrent_kernel` is zeroed with this probability for a whole batch. Unlike Keras'
   * `recurrent_dropout` (a mask on h inside the loop) it works with the fused kernels. Default 0.
   */
  recurrentDropout?: number;
  /** Salt of the recurrent mask's seed (see `SeededNoise`). */
  salt?: number;
  name?: string;
  trainable?: boolean;
}

/** Serialised class name of the layer (in `model.json`). */
export const SERX_LSTM_CLASS = 'SerxLSTM';

type LayerClass = new (args: SerxLstmArgs) => tfjs.layers.Layer;
const classes = new WeakMap<object, LayerClass>();

/**
 * The `SerxLSTM` layer class of this tfjs instance, registered for (de)serialisation.
 *
 * An LSTM over `[batch, steps, features]` that returns the hidden state at each utterance's own last
 * step, so padding a batch to its longest utterance does not change any utterance's output.
 * Inputs: `[sequence, frames]`, `frames` `[batch, 1]` being the utterance's unpadded frame count
 * (its last step is `ceil(frames / timeStride) - 1`, clipped to the sequence).
 * Weights use the Keras layout (`kernel` `[features, 4u]`, `recurrent_kernel` `[u, 4u]`, `bias`
 * `[4u]`, gates i, f, c, o, sigmoid recurrent activation, unit forget bias), so a Keras LSTM's
 * weights load unchanged.
 *
 * Why not `tf.layers.lstm`: it runs a cell of ~15 small ops per step from JS, taped for autodiff.
 * On the native backend this layer runs the whole recurrence as one op forward and one backward
 * (serx's own kernels, else TensorFlow's BlockLSTM; see `lstmSequence`); elsewhere it projects all
 * steps' inputs in one matmul and runs ~11 ops per step.
 */
export function serxLstmClass(tf: Tf): LayerClass {
  const existing = classes.get(tf);
  if (existing) return existing;

  class SerxLstm extends tf.layers.Layer implements SeededNoise {
    static className = SERX_LSTM_CLASS;
    readonly units: number;
    readonly timeStride: number;
    readonly impl: LstmImpl;
    readonly recurrentDropout: number;
    readonly salt: number;
    noiseSeed = 0;
    private readonly kernelInit: Initializer;
    private readonly recurrentInit: Initializer;
    private kernel: tfjs.LayerVariable | undefined;
    private recurrentKernel: tfjs.LayerVariable | undefined;
    private bias: tfjs.LayerVariable | undefined;

    constructor(args: SerxLstmArgs) {
      super(args);
      this.units = args.units;
      this.timeStride = args.timeStride;
      this.impl = args.impl ?? 'auto';
      this.recurrentDropout = args.recurrentDropout ?? 0;
      this.salt = args.salt ?? 0;
      this.kernelInit = args.kernelInitializer ?? tf.initializers.glorotUniform({});
      this.recurrentInit = args.recurrentInitializer ?? tf.initializers.orthogonal({});
    }

    override build(inputShape: tfjs.Shape | tfjs.Shape[]): void {
      const seqShape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfjs.Shape;
      const features = seqShape[seqShape.length - 1] as number;
      const u = this.units;
      this.kernel = this.addWeight('kernel', [features, 4 * u], 'float32', this.kernelInit);
      this.recurrentKernel = this.addWeight('recurrent_kernel', [u, 4 * u], 'float32', this.recurrentInit);
      this.bias = this.addWeight('bias', [4 * u], 'float32', tf.initializers.zeros());
      // Keras' unit_forget_bias: the forget gate starts open.
      this.bias.write(tf.concat([tf.zeros([u]), tf.ones([u]), tf.zeros([2 * u])]));
      this.built = true;
    }

    override computeOutputShape(inputShape: tfjs.Shape | tfjs.Shape[]): tfjs.Shape {
      const seqShape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfjs.Shape;
      return [seqShape[0] ?? null, this.units];
    }

    override call(inputs: tfjs.Tensor | tfjs.Tensor[], kwargs: { training?: boolean } = {}): tfjs.Tensor {
      return tf.tidy(() => {
        const [seq, frames] = inputs as tfjs.Tensor[];
        if (!seq || !frames || !this.kernel || !this.recurrentKernel || !this.bias) {
          throw new Error(`${SERX_LSTM_CLASS} expects [sequence, frames] inputs`);
        }
        let recurrent = this.recurrentKernel.read() as tfjs.Tensor2D;
        if (kwargs.training && this.recurrentDropout > 0) {
          const seed = mixSeed(this.noiseSeed, this.salt);
          recurrent = tf.mul(recurrent, keepMask(tf, recurrent.shape, this.recurrentDropout, seed));
        }
        return lstmSequence(
          tf,
          seq as tfjs.Tensor3D,
          { frames, timeStride: this.timeStride },
          this.kernel.read() as tfjs.Tensor2D,
          recurrent,
          this.bias.read() as tfjs.Tensor1D,
          this.impl,
        );
      });
    }

    override getConfig(): tfjs.serialization.ConfigDict {
      return {
        ...super.getConfig(),
        units: this.units,
        timeStride: this.timeStride,
        impl: this.impl,
        recurrentDropout: this.recurrentDropout,
        salt: this.salt,
      };
    }
  }
  tf.serialization.registerClass(SerxLstm);
  classes.set(tf, SerxLstm);
  return SerxLstm;
}
