import type * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTensorflow } from './load.ts';
import { type Binding, executeNative, floatTypeAttr } from './native-op.ts';
import { serxKernelsAvailable } from './serx-kernels.ts';
import type { Tf } from './types.ts';

let tf: Tf;
let native = false;
beforeAll(async () => {
  tf = (await loadTensorflow({ threads: 2 })).tf;
  native = serxKernelsAvailable(tf);
});

/** max |a - b| / max(1e-6, max |b|) */
const relDiff = (a: tfjs.Tensor, b: tfjs.Tensor) =>
  tf.tidy(() => {
    const scale = Math.max(1e-6, tf.max(tf.abs(b)).dataSync()[0] as number);
    return (tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number) / scale;
  });
const bits = (t: tfjs.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));
const random = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);
/** The same computation at another thread count of serx's kernels. */
function withThreads<T>(threads: number, f: () => T): T {
  const saved = process.env.TF_NUM_INTRAOP_THREADS;
  process.env.TF_NUM_INTRAOP_THREADS = String(threads);
  try {
    return f();
  } finally {
    process.env.TF_NUM_INTRAOP_THREADS = saved;
  }
}

describe('serx ops (native backend with serx kernels)', () => {
  it('fused conv2d with bias and ReLU/linear: same forward bits, gradients of conv + add + relu', (ctx) => {
    if (!native) ctx.skip();
    const cases: ['relu' | 'linear', number | [number, number], 'same' | 'valid', boolean][] = [
      ['relu', 2, 'same', true],
      ['relu', 1, 'valid', true],
      ['linear', 2, 'same', true],
      ['relu', [2, 1], 'same', false],
    ];
    for (const [activation, strides, pad, withBias] of cases) {
      const x = random([2, 11, 9, 7], 1);
      const filter = random([3, 3, 7, 20], 2);
      const bias = withBias ? random([20], 3) : undefined;
      const fused = (a: tfjs.Tensor, f: tfjs.Tensor, b?: tfjs.Tensor): tfjs.Tensor =>
        tf.fused.conv2d({
          x: a as tfjs.Tensor4D,
          filter: f as tfjs.Tensor4D,
          strides,
          pad,
          bias: b,
          activation,
        });
      const reference = (a: tfjs.Tensor, f: tfjs.Tensor, b?: tfjs.Tensor): tfjs.Tensor => {
        let y: tfjs.Tensor = tf.conv2d(a as tfjs.Tensor4D, f as tfjs.Tensor4D, strides, pad);
        if (b) y = tf.add(y, b);
        return activation === 'relu' ? tf.relu(y) : y;
      };
      const label = `${activation} ${strides} ${pad} bias ${withBias}`;
      expect(bits(fused(x, filter, bias)), label).toEqual(bits(reference(x, filter, bias)));
      const weights = random(reference(x, filter, bias).shape, 4);
      const grads = (f: typeof fused) =>
        tf.grads((...v: tfjs.Tensor[]) => tf.sum(tf.mul(f(v[0]!, v[1]!, v[2]), weights)))(
          bias ? [x, filter, bias] : [x, filter],
        );
      const ours = grads(fused);
      const theirs = grads(reference);
      for (const [i, g] of ours.entries())
        expect(relDiff(g, theirs[i]!), `${label} gradient ${i}`).toBeLessThan(1e-5);
    }
  });

  it('fused matMul with bias and ReLU/linear, as tfjs-layers Dense calls it on 3-D input', (ctx) => {
    if (!native) ctx.skip();
    for (const activation of ['relu', 'linear'] as const) {
      const layer = tf.layers.dense({
        units: 24,
        activation,
        kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }),
        biasInitializer: tf.initializers.randomNormal({ seed: 6 }),
      });
      const x = random([3, 17, 33], 7);
      const y = layer.apply(x, { training: true }) as tfjs.Tensor;
      const [kernel, bias] = layer.getWeights() as [tfjs.Tensor2D, tfjs.Tensor1D];
      const reference = (a: tfjs.Tensor, k: tfjs.Tensor, b: tfjs.Tensor) => {
        const z = tf.add(tf.matMul(tf.reshape(a, [-1, 33]), k as tfjs.Tensor2D), b);
        return tf.reshape(activation === 'relu' ? tf.relu(z) : z, [3, 17, 24]);
      };
      expect(bits(y), activation).toEqual(bits(reference(x, kernel, bias)));
      const weights = random([3, 17, 24], 8);
      const ours = tf.grads((a: tfjs.Tensor, k: tfjs.Tensor, b: tfjs.Tensor) => {
        layer.setWeights([k, b]);
        return tf.sum(tf.mul(layer.apply(a, { training: true }) as tfjs.Tensor, weights));
      })([x, kernel, bias]);
      const theirs = tf.grads((a: tfjs.Tensor, k: tfjs.Tensor, b: tfjs.Tensor) =>
        tf.sum(tf.mul(reference(a, k, b), weights)),
      )([x, kernel, bias]);
      for (const [i, g] of ours.entries())
        expect(relDiff(g, theirs[i]!), `${activation} gradient ${i}`).toBeLessThan(1e-5);
    }
  });

  it('Conv2DTranspose layers with bias and ReLU/linear: same forward bits, gradients of the unfused ops', (ctx) => {
    if (!native) ctx.skip();
    for (const [filters, activation, padding] of [
      [12, 'relu', 'same'],
      [1, 'linear', 'same'],
      [5, 'relu', 'valid'],
    ] as const) {
      const layer = tf.layers.conv2dTranspose({
        filters,
        kernelSize: 3,
        strides: 2,
        padding,
        activation,
        kernelInitializer: tf.initializers.glorotUniform({ seed: 20 }),
        biasInitializer: tf.initializers.randomNormal({ seed: 21 }),
      });
      const x = random([2, 6, 5, 9], 22);
      const y = layer.apply(x, { training: true }) as tfjs.Tensor;
      const [kernel, bias] = layer.getWeights() as [tfjs.Tensor4D, tfjs.Tensor1D];
      const reference = (a: tfjs.Tensor, k: tfjs.Tensor, b: tfjs.Tensor) => {
        const z = tf.add(
          tf.conv2dTranspose(a as tfjs.Tensor4D, k as tfjs.Tensor4D, y.shape as never, 2, padding),
          b,
        );
        return activation === 'relu' ? tf.relu(z) : z;
      };
      const label = `${filters} filters ${activation} ${padding}`;
      if (filters > 1) expect(bits(y), label).toEqual(bits(reference(x, kernel, bias)));
      else expect(relDiff(y, reference(x, kernel, bias)), label).toBeLessThan(1e-6);
      const weights = random(y.shape, 23);
      const ours = tf.grads((a: tfjs.Tensor, k: tfjs.Tensor, b: tfjs.Tensor) => {
        layer.setWeights([k, b]);
        return tf.sum(tf.mul(layer.apply(a, { training: true }) as tfjs.Tensor, weights));
      })([x, kernel, bias]);
      const theirs = tf.grads((a: tfjs.Tensor, k: tfjs.Tensor, b: tfjs.Tensor) =>
        tf.sum(tf.mul(reference(a, k, b), weights)),
      )([x, kernel, bias]);
      for (const [i, g] of ours.entries())
        expect(relDiff(g, theirs[i]!), `${label} gradient ${i}`).toBeLessThan(1e-5);
    }
  });

  it("a transposed conv to one channel equals TensorFlow's Conv2DBackpropInput", (ctx) => {
    if (!native) ctx.skip();
    for (const [xShape, filterShape, strides, pad] of [
      [[3, 11, 9, 1], [3, 3, 1, 5], [2, 2], 'same'],
      [[2, 12, 10, 1], [2, 3, 1, 20], [1, 2], 'valid'],
      [[2, 16, 40, 1], [3, 3, 1, 32], [2, 2], 'same'],
    ] as const) {
      const filter = random([...filterShape], 9);
      const outShape = tf.conv2d(
        tf.zeros([...xShape]) as tfjs.Tensor4D,
        filter as tfjs.Tensor4D,
        [...strides],
        pad,
      ).shape;
      const dy = random(outShape, 10);
      const ours = tf.conv2dTranspose(
        dy as tfjs.Tensor4D,
        filter as tfjs.Tensor4D,
        [...xShape],
        [...strides],
        pad,
      );
      const attrs = (b: Binding) => [
        ...floatTypeAttr(b),
        { name: 'strides', type: b.TF_ATTR_INT, value: [1, ...strides, 1] },
        { name: 'padding', type: b.TF_ATTR_STRING, value: pad.toUpperCase() },
        { name: 'data_format', type: b.TF_ATTR_STRING, value: 'NHWC' },
        { name: 'dilations', type: b.TF_ATTR_INT, value: [1, 1, 1, 1] },
      ];
      const [theirs] = executeNative(
        tf,
        'Conv2DBackpropInput',
        attrs,
        [tf.tensor1d([...xShape], 'int32'), filter, dy],
        1,
      );
      expect(relDiff(ours, theirs as tfjs.Tensor), `${xShape} ${filterShape} ${strides} ${pad}`).toBeLessThan(
        1e-5,
      );
    }
  });

  it('the same bits whatever the number of threads', (ctx) => {
    if (!native) ctx.skip();
    const x = random([5, 13, 11, 24], 11);
    const filter = random([3, 3, 24, 17], 12);
    const bias = random([17], 13);
    const run = () =>
      tf.grads((f: tfjs.Tensor, b: tfjs.Tensor) =>
        tf.sum(
          tf.fused.conv2d({
            x: x as tfjs.Tensor4D,
            filter: f as tfjs.Tensor4D,
            strides: 1,
            pad: 'same',
            bias: b,
            activation: 'relu',
          }),
        ),
      )([filter, bias]);
    const transposed = () =>
      tf.conv2dTranspose(
        random([5, 7, 6, 17], 14) as tfjs.Tensor4D,
        random([3, 3, 1, 17], 15) as tfjs.Tensor4D,
        [5, 13, 11, 1],
        2,
        'same',
      );
    const one = withThreads(1, () => [...run(), transposed()]);
    const three = withThreads(3, () => [...run(), transposed()]);
    for (const [i, t] of one.entries()) expect(bits(t), `output ${i}`).toEqual(bits(three[i]!));
  });
});
