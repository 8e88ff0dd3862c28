import { expect, it } from 'vitest';
import { backend, tf } from '../../test/tf.ts';
import { useNativeReluGrad } from './native-gradients.ts';

it.runIf(backend === 'tensorflow')('ReLU gradient through TensorFlow ReluGrad equals dy · step(x)', () => {
  expect(useNativeReluGrad(tf)).toBe(true);
  expect(useNativeReluGrad(tf)).toBe(true); // idempotent
  const x = tf.tensor([-2, -0.5, 0, 0.25, 3, -1e-9]);
  const w = tf.tensor([1, 2, 3, 4, 5, 6]);
  const grad = tf.grad((v: typeof x) => tf.relu(v).mul(w).sum())(x);
  expect(Array.from(grad.dataSync())).toEqual([0, 0, 0, 4, 5, 0]);
});
