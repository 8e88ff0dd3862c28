import {
  type Binding,
  executeNative,
  matMulAttrs as matMul,
  nativeIntraOpThreads,
  type OpAttr,
  type Tf,
} from '@serx/tf-backend';
import type * as tfjs from '@tensorflow/tfjs';

const kernelAttrs =
  (timeStride: number) =>
  (b: Binding): OpAttr[] => [
    { name: 'threads', type: b.TF_ATTR_INT, value: nativeIntraOpThreads() },
    { name: 'time_stride', type: b.TF_ATTR_FLOAT, value: timeStride },
  ];

/**
 * The `fused` LSTM (native backend with serx's kernels, see `@serx/tf-backend`'s
 * native/serx-kernels.c): the input projection `x·W` of all steps as one TensorFlow matmul, the
 * recurrence as one `SerxLstmSequence` op (adds `b`; per step one `h·R` product with the gate
 * arithmetic fused, the batch split over the intra-op threads), which also returns each
 * utterance's state at its last valid step (`clip(ceil(frames / timeStride) - 1, 0, steps - 1)`).
 * Backward: one `SerxLstmSequenceGrad` op (gate derivatives, the `dz·Rᵀ` recurrence and `db`),
 * then `dx`, `dW`, `dR` as three large matmuls over all steps. Same maths as the other
 * implementations (Keras layout and gates); float rounding differs in the last bits.
 */
export function fusedLstmLast(
  tf: Tf,
  x: tfjs.Tensor3D,
  frames: tfjs.Tensor,
  timeStride: number,
  kernel: tfjs.Tensor2D,
  recurrentKernel: tfjs.Tensor2D,
  bias: tfjs.Tensor1D,
): tfjs.Tensor2D {
  const [batch, steps, features] = x.shape;
  const units = recurrentKernel.shape[0];
  const attrs = kernelAttrs(timeStride);
  const run = tf.customGrad((...args: unknown[]) => {
    const [xb, fr, w, r, b, save] = args as [
      tfjs.Tensor3D,
      tfjs.Tensor,
      tfjs.Tensor2D,
      tfjs.Tensor2D,
      tfjs.Tensor1D,
      tfjs.GradSaveFunc,
    ];
    const x2 = tf.reshape(xb, [batch * steps, features]);
    const projected = executeNative(tf, 'MatMul', matMul(false, false), [x2, w], 1)[0] as tfjs.Tensor;
    const xz = tf.reshape(projected, [batch, steps, 4 * units]);
    // the kernel adds the bias as it reads each step's projection
    const [y, hprev, cs, tc, gates] = executeNative(tf, 'SerxLstmSequence', attrs, [xz, r, fr, b], 5);
    save([x2, w, r, fr, hprev as tfjs.Tensor, cs as tfjs.Tensor, tc as tfjs.Tensor, gates as tfjs.Tensor]);
    return {
      value: y as tfjs.Tensor2D,
      gradFunc: (dy: tfjs.Tensor | tfjs.Tensor[], saved: tfjs.Tensor[]) => {
        const [sx2, sw, sr, sfr, shprev, scs, stc, sgates] = saved as tfjs.Tensor[];
        const [dz, db] = executeNative(
          tf,
          'SerxLstmSequenceGrad',
          attrs,
          [
            dy as tfjs.Tensor,
            sr as tfjs.Tensor,
            sfr as tfjs.Tensor,
            scs as tfjs.Tensor,
            stc as tfjs.Tensor,
            sgates as tfjs.Tensor,
          ],
          2,
        );
        const dz2 = tf.reshape(dz as tfjs.Tensor, [batch * steps, 4 * units]);
        const dx = executeNative(
          tf,
          'MatMul',
          matMul(false, true),
          [dz2, sw as tfjs.Tensor],
          1,
        )[0] as tfjs.Tensor;
        const dW = executeNative(
          tf,
          'MatMul',
          matMul(true, false),
          [sx2 as tfjs.Tensor, dz2],
          1,
        )[0] as tfjs.Tensor;
        const h2 = tf.reshape(shprev as tfjs.Tensor, [batch * steps, units]);
        const dR = executeNative(tf, 'MatMul', matMul(true, false), [h2, dz2], 1)[0] as tfjs.Tensor;
        return [
          tf.reshape(dx, [batch, steps, features]),
          tf.zerosLike(sfr as tfjs.Tensor),
          dW,
          dR,
          db as tfjs.Tensor,
        ];
      },
    };
  });
  return tf.tidy(() => run(x, frames, kernel, recurrentKernel, bias) as tfjs.Tensor2D);
}
