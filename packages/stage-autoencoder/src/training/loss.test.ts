import { mulberry32 } from '@serx/core';
import type { Tensor } from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { tf } from '../../test/tf.ts';
import { buildStructure } from '../structures/build.ts';
import { registerBuiltinStructures } from '../structures/builtin.ts';
import type { Batch } from './batches.ts';
import { autoencoderLoss } from './loss.ts';

registerBuiltinStructures();
const built = buildStructure(
  tf,
  { name: 'parry-cnn', params: { conv: [{ filters: 2, kernelSize: [3, 3], strides: [2, 2] }], units: 3 } },
  { numCeps: 4, seed: 1 },
);
const models = { encoder: built.encoder, decoder: built.decoder!, timeStride: 2 };

function batchOf(lengths: number[], frames: number): Batch {
  const next = mulberry32(3);
  const x = new Float32Array(lengths.length * frames * 4);
  const mask = new Float32Array(lengths.length * frames);
  lengths.forEach((n, b) => {
    for (let i = 0; i < n * 4; i++) x[b * frames * 4 + i] = next() * 2 - 1;
    mask.fill(1, b * frames, b * frames + n);
  });
  return { x, mask, lengths: Float32Array.from(lengths), size: lengths.length, frames, numCeps: 4 };
}

it('masks padding out of both terms: MSE over real frames, L1 over real bottleneck steps', () => {
  const batch = batchOf([6, 3], 6);
  const parts = autoencoderLoss(tf, models, batch, 0.5, false);
  const code = models.encoder.predict(tf.tensor4d(batch.x, [2, 6, 4, 1])) as Tensor;
  const recon = (models.decoder.predict(code) as Tensor).arraySync() as number[][][];
  const h = code.arraySync() as number[][][];
  let sq = 0;
  for (const [b, n] of [
    [0, 6],
    [1, 3],
  ] as const)
    for (let t = 0; t < n; t++)
      for (let c = 0; c < 4; c++) sq += (recon[b]![t]![c]! - batch.x[(b * 6 + t) * 4 + c]!) ** 2;
  let abs = 0;
  for (const [b, steps] of [
    [0, 3],
    [1, 2],
  ] as const)
    for (let s = 0; s < steps; s++) for (const v of h[b]![s]!) abs += Math.abs(v);
  const mse = sq / (9 * 4);
  const l1 = abs / (5 * 3);
  expect(parts.mse.dataSync()[0]).toBeCloseTo(mse, 5);
  expect(parts.l1.dataSync()[0]).toBeCloseTo(l1, 5);
  expect(parts.loss.dataSync()[0]).toBeCloseTo(mse + 0.5 * l1, 5);
});

it('an unpadded batch gives the plain mean over every frame', () => {
  const batch = batchOf([4, 4], 4);
  const parts = autoencoderLoss(tf, models, batch, 0, false);
  const x = tf.tensor3d(batch.x, [2, 4, 4]);
  const recon = models.decoder.predict(models.encoder.predict(x.expandDims(3)) as Tensor) as Tensor;
  expect(parts.loss.dataSync()[0]).toBeCloseTo(tf.losses.meanSquaredError(x, recon).dataSync()[0]!, 6);
});
