import { buildStructure, saveModel } from '@serx/stage-autoencoder';
import { serxKernelsAvailable } from '@serx/tf-backend';
import type * as tfjs from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf as loadTf, NUM_CEPS, tempDir } from '../../test/helpers.ts';
import { blockLstmAvailable } from './block-lstm.ts';
import { assembleCnnLstm } from './cnn-lstm.ts';
import { loadModelDir } from './io.ts';
import { serxLstmClass } from './lstm.ts';
import { type LstmImpl, lstmSequence } from './lstm-sequence.ts';

let tf: Awaited<ReturnType<typeof loadTf>>;
beforeAll(async () => {
  tf = await loadTf();
});

const maxAbsDiff = (a: tfjs.Tensor, b: tfjs.Tensor) =>
  tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);

function randomWeights(features: number, units: number, batch = 3, steps = 7) {
  return {
    x: tf.randomNormal([batch, steps, features], 0, 1, 'float32', 1) as tfjs.Tensor3D,
    kernel: tf.randomNormal([features, 4 * units], 0, 0.4, 'float32', 2) as tfjs.Tensor2D,
    recurrent: tf.randomNormal([units, 4 * units], 0, 0.4, 'float32', 3) as tfjs.Tensor2D,
    bias: tf.randomNormal([4 * units], 0, 0.4, 'float32', 4) as tfjs.Tensor1D,
  };
}

/** The implementations this backend runs, after `base`. */
const nativeImpls = (base: LstmImpl[]): LstmImpl[] => [
  ...base,
  ...(blockLstmAvailable(tf) ? (['block', 'cellgrad'] as const) : []),
  ...(serxKernelsAvailable(tf) ? (['fused'] as const) : []),
];
const lengths = (frames: number[], timeStride = 1) => ({
  frames: tf.tensor2d(frames, [frames.length, 1]),
  timeStride,
});

describe('SerxLSTM', () => {
  it('computes what tf.layers.lstm (Keras maths, sigmoid gates) computes', () => {
    const { x, kernel, recurrent, bias } = randomWeights(4, 6);
    const reference = tf.layers.lstm({ units: 6, recurrentActivation: 'sigmoid', inputShape: [null, 4] });
    const seq = tf.sequential({ layers: [reference] });
    seq.setWeights([kernel, recurrent, bias]);
    const expected = seq.predict(x) as tfjs.Tensor;
    const Lstm = serxLstmClass(tf);
    for (const impl of nativeImpls(['autodiff'])) {
      const seqIn = tf.input({ shape: [null, 4] });
      const framesIn = tf.input({ shape: [1] });
      const layer = new Lstm({ units: 6, timeStride: 1, impl });
      const model = tf.model({
        inputs: [seqIn, framesIn],
        outputs: layer.apply([seqIn, framesIn]) as tfjs.SymbolicTensor,
      });
      model.setWeights([kernel, recurrent, bias]);
      const got = model.predict([x, tf.fill([3, 1], 7)]) as tfjs.Tensor;
      expect(maxAbsDiff(got, expected), impl).toBeLessThan(1e-5);
    }
  });

  it('returns each utterance state at its own last step, whatever the padding', () => {
    const { x, kernel, recurrent, bias } = randomWeights(4, 6);
    // utterance 1 has 3 steps; alone (3 steps) and padded with zeros to 7 steps must agree.
    const alone = tf.slice(x, [1, 0, 0], [1, 3, 4]) as tfjs.Tensor3D;
    const padded = tf.concat([alone, tf.zeros([1, 4, 4])], 1) as tfjs.Tensor3D;
    for (const impl of nativeImpls(['autodiff'])) {
      const a = lstmSequence(tf, alone, lengths([3]), kernel, recurrent, bias, impl);
      // 5 frames at 2 frames per step: its last step is ceil(5 / 2) - 1 = 2
      const b = lstmSequence(tf, padded, lengths([5], 2), kernel, recurrent, bias, impl);
      expect(maxAbsDiff(a, b), impl).toBeLessThan(1e-6);
    }
  });

  it('native implementations: outputs and gradients equal the taped ones', (ctx) => {
    if (!blockLstmAvailable(tf)) ctx.skip();
    // units 6 (no whole vector), 32 (whole vectors); batch 5 (not a multiple of the row block);
    // every utterance shorter than the padded length (steps after the last one are skipped)
    for (const [units, batch, frames] of [
      [6, 3, [7, 3, 1]],
      [32, 5, [6, 2, 5, 1, 4]],
    ] as const) {
      const { x, kernel, recurrent, bias } = randomWeights(4, units, batch, 7);
      const weights = tf.div(tf.range(1, units + 1), units);
      const run = (impl: LstmImpl) =>
        tf.grads((a, b, c, d) =>
          tf.sum(
            tf.mul(
              lstmSequence(tf, a as never, lengths([...frames]), b as never, c as never, d as never, impl),
              weights,
            ),
          ),
        )([x, kernel, recurrent, bias]);
      const value = (impl: LstmImpl) =>
        lstmSequence(tf, x, lengths([...frames]), kernel, recurrent, bias, impl);
      const taped = run('autodiff');
      for (const impl of nativeImpls([])) {
        expect(maxAbsDiff(value(impl), value('autodiff')), `${impl} value, ${units} units`).toBeLessThan(
          1e-5,
        );
        for (const [i, g] of run(impl).entries()) {
          expect(maxAbsDiff(g, taped[i] as tfjs.Tensor), `${impl} input ${i}, ${units} units`).toBeLessThan(
            1e-5,
          );
        }
      }
    }
  });

  it('fused: the same bits whatever the number of threads the batch is split over', (ctx) => {
    if (!serxKernelsAvailable(tf)) ctx.skip();
    const { x, kernel, recurrent, bias } = randomWeights(4, 32, 5, 6);
    const frames = lengths([6, 2, 5, 1, 4]);
    const run = () =>
      tf.grads((a, c) => tf.sum(lstmSequence(tf, a as never, frames, kernel, c as never, bias, 'fused')))([
        x,
        recurrent,
      ]);
    const saved = process.env.TF_NUM_INTRAOP_THREADS;
    try {
      process.env.TF_NUM_INTRAOP_THREADS = '1';
      const one = run();
      process.env.TF_NUM_INTRAOP_THREADS = '3';
      const three = run();
      for (const [i, g] of one.entries())
        expect(maxAbsDiff(g, three[i] as tfjs.Tensor), `input ${i}`).toBe(0);
    } finally {
      process.env.TF_NUM_INTRAOP_THREADS = saved;
    }
  });
});

describe('CNN-LSTM', () => {
  let dir: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(() => dir.cleanup());

  it('assembles encoder → LSTM → embedding → softmax and round-trips through the tfjs format', async () => {
    const built = buildStructure(
      tf,
      { name: 'ser-test-tiny' },
      { numCeps: NUM_CEPS, seed: 3, decoder: false },
    );
    let k = 0;
    const model = assembleCnnLstm(
      tf,
      built.encoder,
      { lstmUnits: 5, hiddenUnits: 4, classes: ['a', 'b', 'c'] },
      {
        numCeps: NUM_CEPS,
        timeStride: built.timeStride,
        initializer: () => tf.initializers.glorotUniform({ seed: 100 + k++ }),
      },
    );
    const x = tf.randomNormal([2, 12, NUM_CEPS, 1], 0, 1, 'float32', 5);
    const frames = tf.tensor2d([[12], [9]]);
    const [probs, embedding] = model.predict([x, frames]) as tfjs.Tensor[];
    expect(probs?.shape).toEqual([2, 3]);
    expect(embedding?.shape).toEqual([2, 4]);
    expect(tf.sum(probs as tfjs.Tensor, 1).arraySync()).toEqual([expect.closeTo(1, 5), expect.closeTo(1, 5)]);
    await saveModel(tf, model, dir.dir);
    const loaded = await loadModelDir(tf, dir.dir);
    const [probs2] = loaded.predict([x, frames]) as tfjs.Tensor[];
    expect(maxAbsDiff(probs as tfjs.Tensor, probs2 as tfjs.Tensor)).toBe(0);
  });
});
