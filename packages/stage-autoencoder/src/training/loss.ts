import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../structures/registry.ts';
import type { Batch } from './batches.ts';

export interface AutoencoderModels {
  encoder: tfjs.LayersModel;
  decoder: tfjs.LayersModel;
  timeStride: number;
}

export interface LossParts {
  /** mse + sparsity × l1 */
  loss: tfjs.Scalar;
  /** Mean squared error over the real (unpadded) frames. */
  mse: tfjs.Scalar;
  /** Mean |activation| over the real bottleneck steps. */
  l1: tfjs.Scalar;
}

/**
 * The sparse-autoencoder loss of one padded batch. The decoder's output is cropped to the batch's
 * frames and both terms are masked to real data, so padding neither trains nor counts.
 * The L1 term is a mean (not Keras's sum) so that `sparsity` does not depend on the bottleneck
 * width or the utterance length: λ·mean|h| = (λ / units)·Σ_units|h| per step.
 */
export function autoencoderLoss(tf: Tf, models: AutoencoderModels, batch: Batch, sparsity: number, training = true): LossParts {
  const { encoder, decoder, timeStride } = models;
  const { size, frames, numCeps } = batch;
  const x = tf.tensor3d(batch.x, [size, frames, numCeps]);
  const mask = tf.tensor3d(batch.mask, [size, frames, 1]);
  const code = encoder.apply(x.expandDims(3), { training }) as tfjs.Tensor3D;
  const recon = (decoder.apply(code, { training }) as tfjs.Tensor3D).slice([0, 0, 0], [size, frames, numCeps]);
  const mse = tf.sum(tf.mul(tf.squaredDifference(recon, x), mask)).div(tf.sum(mask).mul(numCeps)) as tfjs.Scalar;
  const [, steps, units] = code.shape;
  const codeMask = tf.tensor3d(stepMask(batch, steps, timeStride), [size, steps, 1]);
  const l1 = tf.sum(tf.mul(tf.abs(code), codeMask)).div(tf.sum(codeMask).mul(units)) as tfjs.Scalar;
  const loss = sparsity > 0 ? (mse.add(l1.mul(sparsity)) as tfjs.Scalar) : mse;
  return { loss, mse, l1 };
}

/** A bottleneck step is real when the first frame it covers is real. */
function stepMask(batch: Batch, steps: number, stride: number): Float32Array {
  const out = new Float32Array(batch.size * steps);
  batch.lengths.forEach((length, b) => out.fill(1, b * steps, b * steps + Math.min(steps, Math.ceil(length / stride))));
  return out;
}
