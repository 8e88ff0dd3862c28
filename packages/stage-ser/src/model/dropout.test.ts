import { buildStructure, registerBuiltinStructures } from '@serx/stage-autoencoder';
import { serxKernelsAvailable } from '@serx/tf-backend';
import type * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf as loadTf } from '../../test/helpers.ts';
import { keepMask, serxDropoutClass, setNoiseSeed, withConvDropout } from './dropout.ts';
import { serxLstmClass } from './lstm.ts';

let tf: Awaited<ReturnType<typeof loadTf>>;
beforeAll(async () => {
  tf = await loadTf();
  registerBuiltinStructures();
});

describe('SerxDropout', () => {
  it('drops about `rate` of the values at training only, scales the rest, and draws masks from the noise seed', () => {
    const Dropout = serxDropoutClass(tf);
    const layer = new Dropout({ rate: 0.25, salt: 3 });
    const x = tf.ones([40, 50]);
    const run = (seed: number) => {
      layer.noiseSeed = seed;
      return Array.from((layer.apply(x, { training: true }) as tfjs.Tensor).dataSync());
    };
    const a = run(1);
    expect(new Set(a.map((v) => v.toFixed(5)))).toEqual(new Set(['0.00000', (1 / 0.75).toFixed(5)]));
    const dropped = a.filter((v) => v === 0).length / a.length;
    expect(dropped).toBeGreaterThan(0.2);
    expect(dropped).toBeLessThan(0.3);
    expect(run(1)).toEqual(a);
    expect(run(2)).not.toEqual(a);
    expect(Array.from((layer.apply(x) as tfjs.Tensor).dataSync())).toEqual(Array(2000).fill(1));
  });

  it('rewires an encoder with dropout after each conv block, keeping its weights and its inference outputs', () => {
    const built = buildStructure(
      tf,
      { name: 'parry-cnn', params: {} },
      { numCeps: 8, seed: 1, decoder: false },
    );
    const convs = built.encoder.layers.filter((l) => l.getClassName() === 'Conv2D').length;
    const wrapped = withConvDropout(tf, built.encoder, 0.5, 1);
    const drops = wrapped.layers.map((l) => l.getClassName());
    expect(drops.filter((c) => c === 'SerxDropout')).toHaveLength(convs);
    // each dropout sits right after a convolution
    drops.forEach((c, i) => {
      if (c === 'SerxDropout') expect(drops[i - 1]).toBe('Conv2D');
    });
    expect(wrapped.weights.map((w) => w.name)).toEqual(built.encoder.weights.map((w) => w.name));
    const x = tf.randomNormal([2, 32, 8, 1], 0, 1, 'float32', 4);
    const plain = (built.encoder.predict(x) as tfjs.Tensor).dataSync();
    expect((wrapped.predict(x) as tfjs.Tensor).dataSync()).toEqual(plain);
    setNoiseSeed(wrapped, 9);
    const noisy = (wrapped.apply(x, { training: true }) as tfjs.Tensor).dataSync();
    expect(Array.from(noisy)).not.toEqual(Array.from(plain));
  });

  it('DropConnect on the LSTM recurrent kernel: training output changes with the mask, inference does not', () => {
    const Lstm = serxLstmClass(tf);
    const seq = tf.input({ shape: [null, 3] });
    const frames = tf.input({ shape: [1] });
    const lstm = new Lstm({ units: 4, timeStride: 1, impl: 'autodiff', recurrentDropout: 0.5, salt: 101 });
    const model = tf.model({
      inputs: [seq, frames],
      outputs: lstm.apply([seq, frames]) as tfjs.SymbolicTensor,
    });
    const x = [tf.randomNormal([2, 6, 3], 0, 1, 'float32', 5), tf.tensor2d([[6], [4]])];
    const inference = Array.from((model.predict(x) as tfjs.Tensor).dataSync());
    const plain = new Lstm({ units: 4, timeStride: 1, impl: 'autodiff' });
    const twin = tf.model({
      inputs: [seq, frames],
      outputs: plain.apply([seq, frames]) as tfjs.SymbolicTensor,
    });
    twin.setWeights(model.getWeights());
    expect(Array.from((twin.predict(x) as tfjs.Tensor).dataSync())).toEqual(inference);
    setNoiseSeed(model, 1);
    const trained = Array.from((model.apply(x, { training: true }) as tfjs.Tensor).dataSync());
    expect(trained).not.toEqual(inference);
    expect(Array.from((model.apply(x, { training: true }) as tfjs.Tensor).dataSync())).toEqual(trained);
  });
});

describe('keepMask', () => {
  // The formulation the masks are defined by (and were computed with before the one-pass version).
  const reference = (shape: number[], rate: number, seed: number) =>
    tf.tidy(() =>
      tf.div(
        tf.cast(tf.greaterEqual(tf.randomUniform(shape, 0, 1, 'float32', seed), rate), 'float32'),
        1 - rate,
      ),
    );

  for (const native of [true, false])
    it(`is byte for byte the mask of randomUniform(seed) >= rate, cast and divided by 1 - rate (${native ? "serx's SerxKeepMask kernel" : 'JavaScript flags'})`, (ctx) => {
      if (native && !serxKernelsAvailable(tf)) ctx.skip();
      for (const [shape, rate, seed] of [
        [[7, 33, 5], 0.1, 0],
        [[4, 50, 20, 8], 0.2, 123456789],
        [[128, 512], 0.3, 4294967295],
        [[1000], 0.5, 42],
        [[4, 50, 20, 32], 0.1, 2654435769],
        [[3, 3], 0.9, 7],
        [[2, 0, 3], 0.1, 5],
      ] as [number[], number, number][]) {
        const fast = keepMask(tf, shape, rate, seed, { native });
        const slow = reference(shape, rate, seed);
        expect(fast.shape).toEqual(shape);
        expect(Buffer.from((fast.dataSync() as Float32Array).buffer)).toEqual(
          Buffer.from((slow.dataSync() as Float32Array).buffer),
        );
        tf.dispose([fast, slow]);
      }
    });
});
