import { type Binding, executeNative, type OpAttr, type Tf } from '@serx/tf-backend';
import type * as tfjs from '@tensorflow/tfjs';
import { forwardAttrs, gradAttrs } from './block-lstm.ts';

const floatAttr = (b: Binding): OpAttr[] => [{ name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT }];
const matMulAttrs = (b: Binding): OpAttr[] => [
  { name: 'transpose_a', type: b.TF_ATTR_BOOL, value: false },
  { name: 'transpose_b', type: b.TF_ATTR_BOOL, value: false },
  ...floatAttr(b),
];

/**
 * The `cellgrad` LSTM: forward with TensorFlow's fused `BlockLSTMV2` (one op), backward as one
 * `LSTMBlockCellGrad` (the element-wise cell backward, one op) plus one `dgates · Rᵀ` matmul per
 * step, and the weight and input gradients as three large matmuls over all steps at once.
 * `BlockLSTMGradV2` instead accumulates the weight gradients with two small Eigen GEMMs per step.
 *
 * `LSTMBlockCellGrad` packs its gate gradients in the i, c, f, o order; the weights are Keras'
 * i, f, c, o, so the blocks are permuted once over the whole sequence.
 */
export function cellGradLstmPicked(
  tf: Tf,
  x: tfjs.Tensor3D,
  pick: tfjs.Tensor2D,
  kernel: tfjs.Tensor2D,
  recurrentKernel: tfjs.Tensor2D,
  bias: tfjs.Tensor1D,
): tfjs.Tensor2D {
  const [batch, steps, features] = x.shape;
  const units = recurrentKernel.shape[0];
  // Swapping blocks 1 and 2 maps ifco <-> icfo (an involution).
  const swapCF = (t: tfjs.Tensor, axis: number) => {
    const [i, a, b, o] = tf.split(t, 4, axis);
    return tf.concat([i as tfjs.Tensor, b as tfjs.Tensor, a as tfjs.Tensor, o as tfjs.Tensor], axis);
  };
  // Per-step ops straight to the native kernels: tf.matMul / tf.add add reshapes and checks that
  // cost more than the [batch, 4u] × [4u, u] product itself.
  const add = (a: tfjs.Tensor, b: tfjs.Tensor) =>
    executeNative(tf, 'AddV2', floatAttr, [a, b], 1)[0] as tfjs.Tensor;
  const run = tf.customGrad((...args: unknown[]) => {
    const [xb, pk, w, r, b, save] = args as [
      tfjs.Tensor3D,
      tfjs.Tensor2D,
      tfjs.Tensor2D,
      tfjs.Tensor2D,
      tfjs.Tensor1D,
      tfjs.GradSaveFunc,
    ];
    const pickShape = [...pk.shape];
    const xT = tf.transpose(xb, [1, 0, 2]);
    const zeros = tf.zeros([batch, units]);
    const peephole = tf.zeros([units]);
    const outs = executeNative(
      tf,
      'BlockLSTMV2',
      forwardAttrs,
      [xT, zeros, zeros, tf.concat([w, r], 0), peephole, peephole, peephole, b],
      7,
      steps,
    );
    const pickT = tf.expandDims(tf.transpose(pk), 2);
    save([xT, w, r, b, pickT, ...outs]);
    return {
      value: tf.sum(tf.mul(outs[6] as tfjs.Tensor, pickT), 0),
      gradFunc: (dy: tfjs.Tensor | tfjs.Tensor[], saved: tfjs.Tensor[]) => {
        const [sxT, sw, sr, sb, spickT, gi, gcs, gf, go, gci, gco, gh] = saved as tfjs.Tensor[];
        const hGrads = tf.unstack(tf.mul(tf.expandDims(dy as tfjs.Tensor, 0), spickT as tfjs.Tensor));
        // Steps where some utterance ends (its output's gradient enters); few in a length-bucketed batch.
        const ends = tf.sum(spickT as tfjs.Tensor, [1, 2]).dataSync();
        const [i, cs, f, o, ci, co, h] = [gi, gcs, gf, go, gci, gco, gh].map((t) =>
          tf.unstack(t as tfjs.Tensor),
        );
        const rIcfo = swapCF(sr as tfjs.Tensor, 1);
        const rIcfoT = tf.transpose(rIcfo);
        const noInput = tf.zeros([batch, 0]);
        const zero = tf.zeros([batch, units]);
        const p0 = tf.zeros([units]);
        const dGates: tfjs.Tensor[] = new Array(steps);
        let dh: tfjs.Tensor | undefined;
        let dcs: tfjs.Tensor = zero;
        for (let t = steps - 1; t >= 0; t--) {
          const enters = (ends[t] as number) > 0;
          const hGrad = dh ? (enters ? add(hGrads[t] as tfjs.Tensor, dh) : dh) : (hGrads[t] as tfjs.Tensor);
          const csPrev = t > 0 ? (cs?.[t - 1] as tfjs.Tensor) : zero;
          const [csPrevGrad, dicfo] = executeNative(
            tf,
            'LSTMBlockCellGrad',
            gradAttrs,
            [
              noInput,
              csPrev,
              zero,
              rIcfo,
              p0,
              p0,
              p0,
              sb as tfjs.Tensor,
              i?.[t] as tfjs.Tensor,
              cs?.[t] as tfjs.Tensor,
              f?.[t] as tfjs.Tensor,
              o?.[t] as tfjs.Tensor,
              ci?.[t] as tfjs.Tensor,
              co?.[t] as tfjs.Tensor,
              dcs,
              hGrad,
            ],
            5,
          );
          dGates[t] = dicfo as tfjs.Tensor;
          dcs = csPrevGrad as tfjs.Tensor;
          if (t > 0) dh = executeNative(tf, 'MatMul', matMulAttrs, [dicfo as tfjs.Tensor, rIcfoT], 1)[0];
        }
        const dz = tf.reshape(swapCF(tf.stack(dGates), 2), [steps * batch, 4 * units]);
        const hPrev = tf.reshape(
          tf.concat([tf.expandDims(zero, 0), tf.stack((h as tfjs.Tensor[]).slice(0, steps - 1))], 0),
          [steps * batch, units],
        );
        const x2 = tf.reshape(sxT as tfjs.Tensor, [steps * batch, features]);
        const dx = tf.transpose(
          tf.reshape(tf.matMul(dz, sw as tfjs.Tensor, false, true), [steps, batch, features]),
          [1, 0, 2],
        );
        // dW and dR in one matmul: [x, h_prev]ᵀ · dz.
        const dWR = tf.matMul(tf.concat([x2, hPrev], 1), dz, true, false);
        const [dW, dR] = tf.split(dWR, [features, units], 0);
        return [dx, tf.zeros(pickShape), dW as tfjs.Tensor, dR as tfjs.Tensor, tf.sum(dz, 0)];
      },
    };
  });
  return tf.tidy(() => run(x, pick, kernel, recurrentKernel, bias) as tfjs.Tensor2D);
}
