import { loadTensorflow, serxKernelsAvailable } from '@serx/tf-backend';
import type * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdam } from './adam.ts';
import { restoreAdamState, saveAdamState } from './adam-state.ts';
import { setLearningRate } from './lr-schedule.ts';
import type { Tf } from './tf.ts';

let tf: Tf;
beforeAll(async () => {
  tf = (await loadTensorflow({ threads: 1 })).tf;
});

const bits = (t: tfjs.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));

/** `steps` Adam steps of `optimizer` on three variables with seeded gradients; the variables' bits. */
function train(optimizer: tfjs.AdamOptimizer, steps: number, from = 0) {
  const shapes = [[7, 5], [5], [33]];
  const vars = shapes.map((s, i) => tf.variable(tf.randomNormal(s, 0, 1, 'float32', 10 + i)));
  for (let step = from; step < from + steps; step++) {
    if (step === from + 3) setLearningRate(optimizer, 0.0003);
    const grads = Object.fromEntries(
      vars.map((v, i) => [v.name, tf.randomNormal(v.shape, 0, 10 ** (i - 1), 'float32', 100 * step + i + 1)]),
    );
    optimizer.applyGradients(grads as Parameters<tfjs.AdamOptimizer['applyGradients']>[0]);
    tf.dispose(Object.values(grads));
  }
  return { vars, bits: vars.map(bits) };
}

describe('createAdam', () => {
  it('steps exactly as tfjs Adam does: the same bits, moments and powers (native kernels)', async (ctx) => {
    if (!serxKernelsAvailable(tf)) ctx.skip();
    const ours = createAdam(tf, 0.002);
    const theirs = tf.train.adam(0.002);
    const a = train(ours, 6);
    const b = train(theirs, 6);
    expect(a.bits).toEqual(b.bits);
    const [sa, sb] = [await saveAdamState(tf, ours), await saveAdamState(tf, theirs)];
    // iterations, moments (named after each optimizer's own variables), powers
    expect(sa.tensors.length).toBe(sb.tensors.length);
    for (const [i, t] of sa.tensors.entries())
      expect(bits(t.tensor), t.name).toEqual(bits(sb.tensors[i]!.tensor));
    // a state saved by one restores into the other
    const resumed = createAdam(tf, 0.002);
    await restoreAdamState(resumed, sb.tensors);
    tf.dispose([...sa.owned, ...sb.owned]);
    for (const o of [ours, theirs, resumed]) o.dispose();
    tf.dispose([...a.vars, ...b.vars]);
  });
});
