import { maskedAbsSum, maskedSquaredErrorSum } from '@serx/tf-backend';
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
export function autoencoderLoss(
  tf: Tf,
  models: AutoencoderModels,
  batch: Batch,
  sparsity: number,
  training = true,
): LossParts {
  const { encoder, decoder, timeStride } = models;
  const { size, frames, numCeps } = batch;
  const x = tf.tensor3d(batch.x, [size, frames, numCeps]);
  const code = encoder.apply(x.expandDims(3), { training }) as tfjs.Tensor3D;
  let recon = decoder.apply(code, { training }) as tfjs.Tensor3D;
  if (recon.shape[1] !== frames) recon = recon.slice([0, 0, 0], [size, frames, numCeps]);
  // Denominators are known in JS; an unpadded batch skips the mask ops altogether.
  const realFrames = batch.lengths.reduce((a, b) => a + b, 0);
  const padded = realFrames < size * frames;
  // Σ (recon - x)² and Σ |code| over the real frames / steps (one pass each with serx's kernels)
  const frameMask = padded ? tf.tensor3d(batch.mask, [size, frames, 1]) : undefined;
  const mse = maskedSquaredErrorSum(tf, recon, x, frameMask).div(realFrames * numCeps) as tfjs.Scalar;
  const [, steps, units] = code.shape;
  const codeMask = stepMask(batch, steps, timeStride);
  const stepsMask = codeMask.real < size * steps ? tf.tensor3d(codeMask.mask, [size, steps, 1]) : undefined;
  const l1 = maskedAbsSum(tf, code, stepsMask).div(codeMask.real * units) as tfjs.Scalar;
  const loss = sparsity > 0 ? (mse.add(l1.mul(sparsity)) as tfjs.Scalar) : mse;
  return { loss, mse, l1 };
}

/** A bottleneck step is real when the first frame it covers is real. */
function stepMask(batch: Batch, steps: number, stride: number): { mask: Float32Array; real: number } {
  const mask = new Float32Array(batch.size * steps);
  let real = 0;
  batch.lengths.forEach((length, b) => {
    const n = Math.min(steps, Math.ceil(length / stride));
    mask.fill(1, b * steps, b * steps + n);
    real += n;
  });
  return { mask, real };
}
