import type { Tf } from '@serx/tf-backend';
import type * as tfjs from '@tensorflow/tfjs';

/** Keras' clipping of softmax outputs before the log. */
const EPSILON = 1e-7;

/**
 * Categorical cross-entropy of softmax outputs `probs` `[batch, classes]` against integer labels,
 * each sample weighted by its class weight; reduced as Keras does (sum of weighted losses / batch).
 */
export function weightedCrossEntropy(
  tf: Tf,
  probs: tfjs.Tensor,
  labels: Int32Array,
  weights: readonly number[] | null,
): tfjs.Scalar {
  return tf.tidy(() => {
    const numClasses = probs.shape[1] as number;
    const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses);
    const perSample = tf.neg(tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(probs, EPSILON, 1 - EPSILON))), 1));
    const weighted = weights
      ? tf.mul(perSample, tf.tensor1d(Array.from(labels, (l) => weights[l] as number)))
      : perSample;
    return tf.div(tf.sum(weighted), labels.length) as tfjs.Scalar;
  });
}
