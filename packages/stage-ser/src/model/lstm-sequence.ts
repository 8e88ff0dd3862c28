import type { Tf } from '@serx/tf-backend';
import type * as tfjs from '@tensorflow/tfjs';
import { blockLstmAvailable, blockLstmPicked } from './block-lstm.ts';
import { cellGradLstmPicked } from './cell-grad-lstm.ts';

/** How the LSTM recurrence runs; `auto` = `cellgrad` on the native backend, else `autodiff`. */
export type LstmImpl = 'auto' | 'block' | 'cellgrad' | 'autodiff';

/**
 * Runs an LSTM (Keras layout and maths: gates i, f, c, o; sigmoid gates, tanh cell) over
 * `x` `[batch, steps, features]` from zero state and returns `sum_t pick[b, t] * h[b, t]`
 * (`pick` one-hot of each utterance's last valid step).
 *
 * Native backend only: `block` runs TensorFlow's own fused `BlockLSTMV2` / `BlockLSTMGradV2`
 * kernels (one op for the whole forward pass, one for the whole backward pass); `cellgrad` (the
 * default there, ~25 % less CPU in the bench) keeps that forward op and runs the backward pass as one
 * `LSTMBlockCellGrad` + one matmul per step with the weight gradients as single large matmuls.
 * `autodiff`: the input projection of all steps as one matmul, then ~11 taped ops per step.
 */
export function lstmSequence(
  tf: Tf,
  x: tfjs.Tensor3D,
  pick: tfjs.Tensor2D,
  kernel: tfjs.Tensor2D,
  recurrentKernel: tfjs.Tensor2D,
  bias: tfjs.Tensor1D,
  impl: LstmImpl = 'auto',
): tfjs.Tensor2D {
  if (impl === 'cellgrad' || (impl === 'auto' && blockLstmAvailable(tf)))
    return cellGradLstmPicked(tf, x, pick, kernel, recurrentKernel, bias);
  if (impl === 'block') return blockLstmPicked(tf, x, pick, kernel, recurrentKernel, bias);
  return autodiffLstm(tf, x, pick, kernel, recurrentKernel, bias);
}

function autodiffLstm(
  tf: Tf,
  x: tfjs.Tensor3D,
  pick: tfjs.Tensor2D,
  kernel: tfjs.Tensor2D,
  recurrentKernel: tfjs.Tensor2D,
  bias: tfjs.Tensor1D,
): tfjs.Tensor2D {
  return tf.tidy(() => {
    const [batch, steps, features] = x.shape;
    const units = recurrentKernel.shape[0];
    const projected = tf.add(tf.matMul(tf.reshape(x, [batch * steps, features]), kernel), bias);
    const perStep = tf.unstack(tf.reshape(projected, [batch, steps, 4 * units]), 1);
    let h: tfjs.Tensor2D = tf.zeros([batch, units]);
    let c: tfjs.Tensor2D = tf.zeros([batch, units]);
    const hs: tfjs.Tensor2D[] = [];
    for (const xt of perStep) {
      const z = tf.add(xt, tf.matMul(h, recurrentKernel));
      const [si, sf, , so] = tf.split(tf.sigmoid(z), 4, 1) as tfjs.Tensor2D[];
      const [, , zg] = tf.split(z, 4, 1) as tfjs.Tensor2D[];
      c = tf.add(tf.mul(sf as tfjs.Tensor2D, c), tf.mul(si as tfjs.Tensor2D, tf.tanh(zg as tfjs.Tensor2D)));
      h = tf.mul(so as tfjs.Tensor2D, tf.tanh(c));
      hs.push(h);
    }
    return tf.sum(tf.mul(tf.stack(hs, 1), tf.expandDims(pick, 2)), 1) as tfjs.Tensor2D;
  });
}
