import { createRequire } from 'node:module';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Tf } from '../types.ts';
import { registerWasmTrainingKernels } from './index.ts';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs') as Tf;
require('@tensorflow/tfjs-backend-wasm');
registerWasmTrainingKernels(tf);

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
}

const cases: Case[] = [
  { name: '3x3 stride 1 same', x: [2, 7, 6, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: 'same' },
  { name: '3x3 stride 2 same', x: [2, 9, 8, 2], filter: [3, 3, 2, 5], strides: [2, 2], pad: 'same' },
  { name: '3x2 stride 2 valid', x: [3, 9, 7, 2], filter: [3, 2, 2, 3], strides: [2, 2], pad: 'valid' },
  { name: '2x5 stride (2,1) same', x: [2, 8, 11, 3], filter: [2, 5, 3, 2], strides: [2, 1], pad: 'same' },
  { name: '1x4 stride 1 valid', x: [1, 5, 9, 1], filter: [1, 4, 1, 6], strides: [1, 1], pad: 'valid' },
  {
    name: '4x4 stride 2 same (asymmetric pad)',
    x: [1, 10, 10, 1],
    filter: [4, 4, 1, 2],
    strides: [2, 2],
    pad: 'same',
  },
  {
    name: '3x3 stride 3 valid, input not a multiple',
    x: [2, 11, 10, 2],
    filter: [3, 3, 2, 2],
    strides: [3, 3],
    pad: 'valid',
  },
  {
    name: '3x3 stride 2 explicit pad',
    x: [2, 8, 7, 2],
    filter: [3, 3, 2, 3],
    strides: [2, 2],
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
];

/** ‖a − b‖∞ / ‖b‖∞ */
function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] ?? Number.NaN) - (b[i] ?? 0)));
    scale = Math.max(scale, Math.abs(b[i] ?? 0));
  }
  return diff / scale;
}

/** Filter gradient of sum(conv2d(x, w) · r), through autograd, on the current backend. */
async function filterGradient(c: Case): Promise<Float32Array> {
  const x = tf.randomUniform(c.x, -1, 1, 'float32', 1) as Tensor4D;
  const w = tf.randomUniform(c.filter, -1, 1, 'float32', 2) as Tensor4D;
  const y = tf.conv2d(x, w, c.strides, c.pad);
  const r = tf.randomUniform(y.shape, -1, 1, 'float32', 3);
  const grad = tf.grad((filter: Tensor) =>
    tf.sum(tf.mul(tf.conv2d(x, filter as Tensor4D, c.strides, c.pad), r)),
  );
  const dW = grad(w);
  expect(dW.shape).toEqual(c.filter);
  const values = (await dW.data()) as Float32Array;
  tf.dispose([x, w, y, r, dW]);
  return values;
}

describe('wasm Conv2DBackpropFilter', () => {
  beforeAll(async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it.each(cases)('matches the cpu backend: $name', async (c) => {
    await tf.setBackend('cpu');
    const expected = await filterGradient(c);
    await tf.setBackend('wasm');
    const numTensors = tf.memory().numTensors;
    const actual = await filterGradient(c);
    const error = relativeError(actual, expected);
    if (process.env.SERX_PRINT_ERRORS) console.log(`${c.name}: ${error.toExponential(2)}`);
    expect(error).toBeLessThanOrEqual(1e-5);
    expect(tf.memory().numTensors).toBe(numTensors);
  });

  it('frees its intermediates in the wasm heap', async () => {
    await tf.setBackend('wasm');
    const c = cases[1] as Case;
    await filterGradient(c);
    const before = tf.engine().backend.numDataIds();
    await filterGradient(c);
    expect(tf.engine().backend.numDataIds()).toBe(before);
  });
});
