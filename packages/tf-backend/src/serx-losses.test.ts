import type * as tfjs from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { loadTensorflow } from './load.ts';
import { serxKernelsAvailable } from './serx-kernels.ts';
import { maskedAbsSum, maskedSquaredErrorSum } from './serx-losses.ts';
import type { Tf } from './types.ts';

let tf: Tf;
beforeAll(async () => {
  tf = (await loadTensorflow({ threads: 2 })).tf;
});
const bits = (t: tfjs.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));

it('masked squared-error and abs sums: values of the tfjs ops, gradients bit for bit (native kernels)', (ctx) => {
  if (!serxKernelsAvailable(tf)) ctx.skip();
  const a = tf.randomNormal([3, 50, 40], 0, 1, 'float32', 1);
  const b = tf.randomNormal([3, 50, 40], 0, 1, 'float32', 2);
  // ReLU-like code with exact zeros (where tfjs' gradient of |x| is -1)
  const code = tf.relu(tf.randomNormal([3, 50, 17], 0, 1, 'float32', 3));
  const mask = tf.tensor3d(
    Float32Array.from({ length: 150 }, (_, i) => (i % 50 < 35 ? 1 : 0)),
    [3, 50, 1],
  );
  for (const m of [mask, undefined]) {
    const label = m ? 'masked' : 'unmasked';
    const sq = (x: tfjs.Tensor) => {
      const s = tf.squaredDifference(x, b);
      return tf.sum(m ? tf.mul(s, m) : s);
    };
    const ab = (x: tfjs.Tensor) => tf.sum(m ? tf.mul(tf.abs(x), m) : tf.abs(x));
    const rel = (x: tfjs.Tensor, y: tfjs.Tensor) =>
      Math.abs((x.dataSync()[0] as number) / (y.dataSync()[0] as number) - 1);
    expect(rel(maskedSquaredErrorSum(tf, a, b, m), sq(a)), label).toBeLessThan(1e-6);
    expect(rel(maskedAbsSum(tf, code, m), ab(code)), label).toBeLessThan(1e-6);
    // the gradient of a scaled sum, as the autoencoder loss takes it (divided by a count)
    const ours = tf.grad((x: tfjs.Tensor) => tf.div(maskedSquaredErrorSum(tf, x, b, m), 4321))(a);
    const theirs = tf.grad((x: tfjs.Tensor) => tf.div(sq(x), 4321))(a);
    expect(bits(ours), label).toEqual(bits(theirs));
    const oursAbs = tf.grad((x: tfjs.Tensor) => tf.mul(maskedAbsSum(tf, x, m), 0.01))(code);
    const theirsAbs = tf.grad((x: tfjs.Tensor) => tf.mul(ab(x), 0.01))(code);
    expect(bits(oursAbs), label).toEqual(bits(theirsAbs));
  }
});
