import { SerxError } from '@serx/core';
import { serxKernelsAvailable, type Tf } from '@serx/tf-backend';
import type * as tfjs from '@tensorflow/tfjs';
import { blockLstmAvailable, blockLstmPicked } from './block-lstm.ts';
import { cellGradLstmPicked } from './cell-grad-lstm.ts';
import { fusedLstmLast } from './fused-lstm.ts';

/**
 * How the LSTM recurrence runs; `auto` = `fused` on the native backend with serx's kernels, else
 * `cellgrad` on the native backend, else `autodiff`.
 */
export type LstmImpl = 'auto' | 'fused' | 'block' | 'cellgrad' | 'autodiff';

/** Which utterance steps are real: `[batch, 1]` unpadded frame counts, `timeStride` frames per step. */
export interface SequenceLengths {
  frames: tfjs.Tensor;
  timeStride: number;
}

/** The implementation `auto` stands for on this backend. */
export function resolveLstmImpl(tf: Tf, impl: LstmImpl): Exclude<LstmImpl, 'auto'> {
  if (impl === 'fused' && !serxKernelsAvailable(tf))
    throw new SerxError(
      'ENVIRONMENT',
      `the 'fused' LSTM needs serx's native kernels on the tensorflow backend (active: ${tf.getBackend()}; built by \`serx setup\`, off with SERX_NATIVE_KERNELS=0)`,
    );
  if (impl !== 'auto') return impl;
  if (serxKernelsAvailable(tf)) return 'fused';
  return blockLstmAvailable(tf) ? 'cellgrad' : 'autodiff';
}

/**
 * Runs an LSTM (Keras layout and maths: gates i, f, c, o; sigmoid gates, tanh cell) over
 * `x` `[batch, steps, features]` from zero state and returns each utterance's `h` at its last
 * valid step, `clip(ceil(frames / timeStride) - 1, 0, steps - 1)`.
 *
 * Native backend only: `fused` runs serx's own recurrence kernels (see fused-lstm.ts; the default
 * when setup built them); `block` runs TensorFlow's own fused `BlockLSTMV2` / `BlockLSTMGradV2`
 * kernels (one op for the whole forward pass, one for the whole backward pass); `cellgrad` keeps
 * that forward op and runs the backward pass as one `LSTMBlockCellGrad` + one matmul per step with
 * the weight gradients as single large matmuls. `autodiff`: the input projection of all steps as
 * one matmul, then ~11 taped ops per step.
 */
export function lstmSequence(
  tf: Tf,
  x: tfjs.Tensor3D,
  lengths: SequenceLengths,
  kernel: tfjs.Tensor2D,
  recurrentKernel: tfjs.Tensor2D,
  bias: tfjs.Tensor1D,
  impl: LstmImpl = 'auto',
): tfjs.Tensor2D {
  const chosen = resolveLstmImpl(tf, impl);
  if (chosen === 'fused')
    return fusedLstmLast(tf, x, lengths.frames, lengths.timeStride, kernel, recurrentKernel, bias);
  return tf.tidy(() => {
    const pick = lastStepPick(tf, lengths, x.shape[1]);
    if (chosen === 'cellgrad') return cellGradLstmPicked(tf, x, pick, kernel, recurrentKernel, bias);
    if (chosen === 'block') return blockLstmPicked(tf, x, pick, kernel, recurrentKernel, bias);
    return autodiffLstm(tf, x, pick, kernel, recurrentKernel, bias);
  });
}

/** One-hot `[batch, steps]` of each utterance's last valid step. */
function lastStepPick(tf: Tf, lengths: SequenceLengths, steps: number): tfjs.Tensor2D {
  const last = tf.clipByValue(tf.sub(tf.ceil(tf.div(lengths.frames, lengths.timeStride)), 1), 0, steps - 1);
  return tf.cast(tf.equal(tf.expandDims(tf.range(0, steps), 0), last), 'float32') as tfjs.Tensor2D;
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
