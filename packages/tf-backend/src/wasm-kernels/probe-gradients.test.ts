import { createRequire } from 'node:module';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildProbeModel, probeBatch } from '../probe-model.ts';
import type { Tf } from '../types.ts';
import { registerWasmTrainingKernels } from './index.ts';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs') as Tf;
require('@tensorflow/tfjs-backend-wasm');
registerWasmTrainingKernels(tf);

/** Loss gradients of every trainable weight of the small Conv2D+LSTM probe, given fixed weights. */
async function gradients(weights: Float32Array[] | undefined) {
  const model: LayersModel = buildProbeModel(tf, 'small');
  if (weights) model.setWeights(weights.map((w, i) => tf.tensor(w, model.getWeights()[i]?.shape)));
  const { x, y } = probeBatch(tf, 'small');
  const { grads } = tf.variableGrads(() =>
    tf.losses.softmaxCrossEntropy(y, model.apply(x) as Tensor).asScalar(),
  );
  const names = Object.keys(grads).sort();
  const values = await Promise.all(names.map(async (n) => (await grads[n]?.data()) as Float32Array));
  const initial = await Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
  tf.dispose([x, y, ...Object.values(grads)]);
  model.dispose();
  return { names, values, initial };
}

describe('training the probe model on wasm', () => {
  it('gives the same gradients as the pure-JS cpu backend (Conv2D, pooling, LSTM, dense)', async () => {
    await tf.setBackend('cpu');
    const reference = await gradients(undefined);
    await tf.setBackend('wasm');
    const actual = await gradients(reference.initial);
    expect(actual.names.length).toBe(reference.names.length);
    expect(actual.names.length).toBe(7); // conv kernel+bias, lstm kernel+recurrent+bias, dense kernel+bias
    reference.values.forEach((expected, i) => {
      const got = actual.values[i] as Float32Array;
      let diff = 0;
      let scale = 0;
      expected.forEach((e, j) => {
        diff = Math.max(diff, Math.abs((got[j] ?? Number.NaN) - e));
        scale = Math.max(scale, Math.abs(e));
      });
      if (process.env.SERX_PRINT_ERRORS)
        console.log(`${reference.names[i]}: ${(diff / scale).toExponential(2)}`);
      expect(diff / scale, reference.names[i]).toBeLessThanOrEqual(1e-5);
    });
  });
});
