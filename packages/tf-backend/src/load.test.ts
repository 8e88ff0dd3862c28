import { ErrorCodes, SerxError } from '@serx/core';
import type { Tensor4D } from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTensorflow } from './load.ts';
import { readSetupState } from './state.ts';

const saved = process.env.SERX_BACKEND;
afterEach(() => {
  if (saved === undefined) delete process.env.SERX_BACKEND;
  else process.env.SERX_BACKEND = saved;
});

async function errorOf(promise: Promise<unknown>): Promise<SerxError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SerxError);
  return error as SerxError;
}

describe('loadTensorflow', () => {
  it('refuses the pure-JS cpu backend for training unless allowCpu', async () => {
    process.env.SERX_BACKEND = 'cpu';
    const error = await errorOf(loadTensorflow());
    expect(error.code).toBe(ErrorCodes.ENVIRONMENT);
    expect(error.message).toMatch(/too slow to train.*serx setup/);
  });

  it('rejects an unknown SERX_BACKEND with the allowed values', async () => {
    process.env.SERX_BACKEND = 'gpu';
    const error = await errorOf(loadTensorflow());
    expect(error.code).toBe(ErrorCodes.ENVIRONMENT);
    expect(error.message).toBe('SERX_BACKEND=gpu is not a backend; use one of tensorflow, wasm, cpu');
  });

  it('loads the backend setup verified, trains on it, and shares it between calls', async () => {
    delete process.env.SERX_BACKEND;
    const expected = readSetupState().backend;
    expect(expected, 'run `node scripts/setup.mjs` first').toBeDefined();
    const first = await loadTensorflow({ threads: 1 });
    expect(first.backend).toBe(expected);
    expect(first.tfVersion).toBe('4.22.0');
    if (expected === 'tensorflow') {
      expect(first.libtensorflowVersion).toBe('2.18.1');
      expect(first.threads).toBe(Number(process.env.TF_NUM_INTRAOP_THREADS));
    } else {
      expect(first.fallbackReason).toMatch(/native TensorFlow unavailable/);
    }
    const { tf } = first;
    expect(tf.getBackend()).toBe(expected);
    const sum = tf.tidy(
      () =>
        tf
          .conv2d(tf.ones([1, 3, 3, 1]) as Tensor4D, tf.ones([2, 2, 1, 1]) as Tensor4D, 1, 'valid')
          .sum()
          .dataSync()[0],
    );
    expect(sum).toBe(16);
    expect((await loadTensorflow()).tf).toBe(tf);

    const other = expected === 'wasm' ? 'tensorflow' : 'wasm';
    const error = await errorOf(loadTensorflow({ backend: other }));
    expect(error.message).toBe(
      `backend ${expected} is already active in this process; cannot switch to ${other}`,
    );
  });
});
