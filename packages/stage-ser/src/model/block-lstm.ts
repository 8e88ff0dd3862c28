import { type Binding, executeNative, type OpAttr, type Tf } from '@serx/tf-backend';
import type * as tfjs from '@tensorflow/tfjs';

/**
 * TensorFlow's fused LSTM kernels (`BlockLSTMV2`, `BlockLSTMGradV2`: Keras gate layout i, f, c, o,
 * no forget bias added, no peepholes, no cell clip) called through tfjs-node's eager binding
 * (`executeNative` of `@serx/tf-backend`).
 */

/** True when the active backend is tfjs-node's native TensorFlow. */
export function blockLstmAvailable(tf: Tf): boolean {
  return tf.getBackend() === 'tensorflow';
}

export const forwardAttrs = (b: Binding): OpAttr[] => [
  { name: 'cell_clip', type: b.TF_ATTR_FLOAT, value: 0 },
  { name: 'use_peephole', type: b.TF_ATTR_BOOL, value: false },
  { name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
];
export const gradAttrs = (b: Binding): OpAttr[] => [
  { name: 'use_peephole', type: b.TF_ATTR_BOOL, value: false },
  { name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
];

/** See `lstmSequence`; `x` `[batch, steps, features]`, `pick` `[batch, steps]`. */
export function blockLstmPicked(
  tf: Tf,
  x: tfjs.Tensor3D,
  pick: tfjs.Tensor2D,
  kernel: tfjs.Tensor2D,
  recurrentKernel: tfjs.Tensor2D,
  bias: tfjs.Tensor1D,
): tfjs.Tensor2D {
  const steps = x.shape[1];
  const units = recurrentKernel.shape[0];
  const state = (batch: number) => ({
    zeros: tf.zeros([batch, units]),
    peephole: tf.zeros([units]),
  });
  const run = tf.customGrad((...args: unknown[]) => {
    const [xb, pk, w, b, save] = args as [
      tfjs.Tensor3D,
      tfjs.Tensor2D,
      tfjs.Tensor2D,
      tfjs.Tensor1D,
      tfjs.GradSaveFunc,
    ];
    const batch = xb.shape[0];
    const pickShape = [...pk.shape];
    const xT = tf.transpose(xb, [1, 0, 2]);
    const s = state(batch);
    const outs = executeNative(
      tf,
      'BlockLSTMV2',
      forwardAttrs,
      [xT, s.zeros, s.zeros, w, s.peephole, s.peephole, s.peephole, b],
      7,
      steps,
    );
    const h = outs[6] as tfjs.Tensor3D;
    const pickT = tf.expandDims(tf.transpose(pk), 2);
    save([xT, w, b, pickT, ...outs]);
    return {
      value: tf.sum(tf.mul(h, pickT), 0),
      gradFunc: (dy: tfjs.Tensor | tfjs.Tensor[], saved: tfjs.Tensor[]) => {
        const [sxT, sw, sb, spickT, ...gates] = saved as tfjs.Tensor[];
        const hGrad = tf.mul(tf.expandDims(dy as tfjs.Tensor, 0), spickT as tfjs.Tensor);
        const g = state(batch);
        const grads = executeNative(
          tf,
          'BlockLSTMGradV2',
          gradAttrs,
          [
            sxT as tfjs.Tensor,
            g.zeros,
            g.zeros,
            sw as tfjs.Tensor,
            g.peephole,
            g.peephole,
            g.peephole,
            sb as tfjs.Tensor,
            ...gates,
            tf.zerosLike(hGrad),
            hGrad,
          ],
          8,
          steps,
        );
        return [
          tf.transpose(grads[0] as tfjs.Tensor, [1, 0, 2]),
          tf.zeros(pickShape),
          grads[3] as tfjs.Tensor,
          grads[7] as tfjs.Tensor,
        ];
      },
    };
  });
  return tf.tidy(() => run(x, pick, tf.concat([kernel, recurrentKernel], 0), bias) as tfjs.Tensor2D);
}
