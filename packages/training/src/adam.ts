import { type Binding, executeNative, type OpAttr, serxKernelsAvailable } from '@serx/tf-backend';
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from './tf.ts';

/** What tfjs' AdamOptimizer keeps (private in tfjs, the same fields adam-state.ts reads). */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tfjs.Variable;
  accBeta2: tfjs.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tfjs.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tfjs.Variable }[];
  incrementIterations(): void;
}

/**
 * tfjs' Adam (`tf.train.adam`), whose update of each variable runs, on the native backend with
 * serx's kernels, as one `SerxAdam` op instead of ~14 element-wise ops and their scalar tensors: the
 * same float32 operations in the same order, so the same bits. Its state (moments, bias-correction
 * powers, iterations) is tfjs' own: `getWeights`, `setWeights`, adam-state.ts work unchanged.
 */
export function createAdam(tf: Tf, learningRate: number): tfjs.AdamOptimizer {
  const optimizer = tf.train.adam(learningRate);
  if (!serxKernelsAvailable(tf)) return optimizer;
  const o = optimizer as unknown as AdamInternals;
  const attrs = (b: Binding): OpAttr[] => [
    { name: 'beta1', type: b.TF_ATTR_FLOAT, value: o.beta1 },
    { name: 'one_minus_beta1', type: b.TF_ATTR_FLOAT, value: 1 - o.beta1 },
    { name: 'beta2', type: b.TF_ATTR_FLOAT, value: o.beta2 },
    { name: 'one_minus_beta2', type: b.TF_ATTR_FLOAT, value: 1 - o.beta2 },
    { name: 'epsilon', type: b.TF_ATTR_FLOAT, value: o.epsilon },
    { name: 'learning_rate', type: b.TF_ATTR_FLOAT, value: o.learningRate },
  ];
  optimizer.applyGradients = (variableGradients: Parameters<tfjs.AdamOptimizer['applyGradients']>[0]) => {
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    tf.tidy(() => {
      const oneMinusAccBeta1 = tf.sub(1, o.accBeta1);
      const oneMinusAccBeta2 = tf.sub(1, o.accBeta2);
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name] as tfjs.Variable;
        o.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        o.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
        const gradient = Array.isArray(variableGradients)
          ? variableGradients[i]?.tensor
          : variableGradients[name];
        if (gradient == null) return;
        const m = o.accumulatedFirstMoment[i].variable;
        const v = o.accumulatedSecondMoment[i].variable;
        const [newValue, newM, newV] = executeNative(
          tf,
          'SerxAdam',
          attrs,
          [value, m, v, gradient, oneMinusAccBeta1, oneMinusAccBeta2],
          3,
        ) as [tfjs.Tensor, tfjs.Tensor, tfjs.Tensor];
        m.assign(newM);
        v.assign(newV);
        value.assign(newValue);
      });
      o.accBeta1.assign(tf.mul(o.accBeta1, o.beta1));
      o.accBeta2.assign(tf.mul(o.accBeta2, o.beta2));
    });
    o.incrementIterations();
  };
  return optimizer;
}
