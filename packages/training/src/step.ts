import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from './tf.ts';

export interface StepSettings {
  /** L2 coefficient: `weightDecay × Σ w²` over `decayed` is added to the loss (Keras `l2`). */
  weightDecay: number;
  /** The variables the L2 term covers (kernels, not biases). */
  decayed: readonly tfjs.Variable[];
  /** Gradients are scaled so their global norm is at most this; 0 = no clipping. */
  clipNorm: number;
}

/**
 * One optimizer step: gradients of `loss` (+ the L2 term) for `variables`, clipped by global norm,
 * applied. Returns the value of `loss` alone, comparable with a validation loss.
 */
export function trainStep(
  tf: Tf,
  optimizer: tfjs.Optimizer,
  variables: tfjs.Variable[],
  loss: () => tfjs.Scalar,
  settings: StepSettings,
): number {
  return tf.tidy(() => {
    let data: tfjs.Scalar | undefined;
    const { grads } = tf.variableGrads(() => {
      data = tf.keep(loss());
      if (settings.weightDecay <= 0 || settings.decayed.length === 0) return data;
      const squares = tf.addN(settings.decayed.map((v) => tf.sum(tf.square(v))));
      return tf.add(data, tf.mul(settings.weightDecay, squares)) as tfjs.Scalar;
    }, variables);
    optimizer.applyGradients(settings.clipNorm > 0 ? clipByGlobalNorm(tf, grads, settings.clipNorm) : grads);
    const value = (data as tfjs.Scalar).dataSync()[0] as number;
    (data as tfjs.Scalar).dispose(); // kept out of variableGrads' scope, so not the tidy's to free
    return value;
  });
}

/** Scales every gradient by `min(1, clipNorm / ‖all gradients‖₂)` (TensorFlow's `clip_by_global_norm`). */
export function clipByGlobalNorm(tf: Tf, grads: tfjs.NamedTensorMap, clipNorm: number): tfjs.NamedTensorMap {
  const names = Object.keys(grads);
  const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n] as tfjs.Tensor)))));
  const scale = tf.div(clipNorm, tf.maximum(norm, clipNorm));
  const out: tfjs.NamedTensorMap = {};
  for (const n of names) out[n] = tf.mul(grads[n] as tfjs.Tensor, scale);
  return out;
}
