import type { Tensor } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { tf } from '../../test/tf.ts';
import { buildStructure } from './build.ts';
import { registerBuiltinStructures } from './builtin.ts';

registerBuiltinStructures();

describe.each(['parry-cnn', 'temporal-conv1d'])('structure %s', (name) => {
  const small =
    name === 'parry-cnn'
      ? {
          conv: [
            { filters: 2, kernelSize: [3, 3], strides: [2, 2] },
            { filters: 3, kernelSize: [3, 3], strides: [2, 3] },
          ],
          units: 4,
        }
      : {
          conv: [
            { filters: 3, kernelSize: 3, strides: 2 },
            { filters: 5, kernelSize: 3, strides: 2 },
          ],
          units: 4,
        };

  it.each([100, 101, 163])('encodes %i frames to ceil(frames / 4) steps and decodes them back', (frames) => {
    const built = buildStructure(tf, { name, params: small }, { numCeps: 40, seed: 1 });
    expect(built.timeStride).toBe(4);
    const x = tf.zeros([2, frames, 40, 1]);
    const code = built.encoder.predict(x) as Tensor;
    expect(code.shape).toEqual([2, Math.ceil(frames / 4), 4]);
    const recon = built.decoder!.predict(code) as Tensor;
    expect(recon.shape).toEqual([2, Math.ceil(frames / 4) * 4, 40]);
    tf.dispose([x, code, recon]);
  });

  it('builds with its defaults', () => {
    const built = buildStructure(tf, { name }, { numCeps: 40, seed: 1 });
    expect(built.units).toBe(128);
    expect(built.timeStride).toBe(4);
  });
});

it('parry-cnn defaults are the documented ones', () => {
  const built = buildStructure(tf, { name: 'parry-cnn' }, { numCeps: 40, seed: 1 });
  expect(built.ref.params).toEqual({
    conv: [
      { filters: 32, kernelSize: [3, 3], strides: [2, 2] },
      { filters: 64, kernelSize: [3, 3], strides: [2, 2] },
    ],
    activation: 'relu',
    units: 128,
    bottleneckActivation: 'relu',
  });
  expect(built.encoder.countParams()).toBe(320 + 18496 + 640 * 128 + 128);
});

it.each(['parry-cnn', 'temporal-conv1d'])(
  '%s: a seed fixes every initial weight, another seed changes them',
  (name) => {
    const weights = (seed: number) => {
      const built = buildStructure(tf, { name }, { numCeps: 40, seed });
      return [...built.encoder.getWeights(), ...built.decoder!.getWeights()].map((w) =>
        Array.from(w.dataSync()),
      );
    };
    const a = weights(5);
    expect(weights(5)).toEqual(a);
    const kernelsDiffer = weights(6).filter((w, i) => w.some((v, j) => v !== a[i]![j]));
    expect(kernelsDiffer.length).toBeGreaterThan(0);
  },
);
