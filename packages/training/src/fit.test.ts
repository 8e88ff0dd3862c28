import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '@serx/core';
import { loadTensorflow } from '@serx/tf-backend';
import type * as tfjs from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { restoreAdamState, saveAdamState } from './adam-state.ts';
import { planEpoch } from './batching.ts';
import { type FitSettings, fit, weightsUnderDecay } from './fit.ts';
import { setLearningRate } from './lr-schedule.ts';
import { formatSeconds } from './report.ts';
import { clipByGlobalNorm, trainStep } from './step.ts';
import type { Tf } from './tf.ts';

let tf: Tf;
beforeAll(async () => {
  tf = (await loadTensorflow({ threads: 1 })).tf;
});

// A linearly separable two-class problem: label = (x0 + x1 > 0).
const N = 64;
const data = (() => {
  const r = mulberry32(5);
  const x = Float32Array.from({ length: N * 4 }, () => r() * 2 - 1);
  const y = Int32Array.from({ length: N }, (_, i) => (x[i * 4]! + x[i * 4 + 1]! > 0 ? 1 : 0));
  return { x, y };
})();

function task(seed: number) {
  let k = 0;
  const init = () => tf.initializers.glorotUniform({ seed: seed + k++ });
  const input = tf.input({ shape: [4] });
  const hidden = tf.layers.dense({ units: 8, activation: 'relu', kernelInitializer: init() }).apply(input);
  const out = tf.layers
    .dense({ units: 2, activation: 'softmax', kernelInitializer: init() })
    .apply(hidden) as tfjs.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const loss = (members: number[]) =>
    tf.tidy(() => {
      const x = tf.tensor2d(
        members.flatMap((i) => Array.from(data.x.subarray(i * 4, i * 4 + 4))),
        [members.length, 4],
      );
      const y = tf.oneHot(
        tf.tensor1d(
          members.map((i) => data.y[i]!),
          'int32',
        ),
        2,
      );
      const p = model.apply(x, { training: true }) as tfjs.Tensor;
      return tf.losses.softmaxCrossEntropy(y, tf.log(tf.clipByValue(p, 1e-7, 1))) as tfjs.Scalar;
    });
  const all = Array.from({ length: N }, (_, i) => i);
  const lengths = all.map(() => 1);
  return {
    model,
    task: {
      weights: model.weights,
      trainable: model.trainableWeights,
      monitor: { key: 'val_loss', mode: 'min' as const },
      trainEpoch(ctx: Parameters<Parameters<typeof fit>[0]['task']['trainEpoch']>[0]) {
        let sum = 0;
        const plan = planEpoch(all, lengths, 8, ctx.random);
        for (const members of plan) {
          ctx.checkAborted();
          sum += ctx.step(() => loss(members));
        }
        return { loss: sum / plan.length };
      },
      validate() {
        const l = tf.tidy(() => loss(all).dataSync()[0]!);
        return { score: -l, loss: l, values: { val_loss: l } };
      },
    },
  };
}

const settings: FitSettings = {
  epochs: 4,
  learningRate: 0.05,
  lrSchedule: { kind: 'constant' },
  patience: 0,
  minEpochs: 1,
  minDelta: 0,
  weightDecay: 0,
  weightDecayOn: [],
  clipNorm: 0,
  seed: 11,
};

const values = (m: tfjs.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

describe('fit', () => {
  it('trains, writes one record per epoch and ends on the best epoch', async () => {
    const { model, task: t } = task(1);
    const { history } = await fit({ tf, task: t, settings });
    expect(history.format).toBe('serx-history/1');
    expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(history.epochs.every((e) => e.lr === 0.05)).toBe(true);
    const val = history.epochs.map((e) => e.val_loss as number);
    expect(val[3]!).toBeLessThan(val[0]! * 0.8);
    expect(history.bestEpoch).toBe(val.indexOf(Math.min(...val)) + 1);
    expect(t.validate().loss).toBeCloseTo(Math.min(...val), 5);
    expect(Object.keys(history.epochs[0]!).sort()).toEqual(['epoch', 'loss', 'lr', 'val_loss']);
    model.dispose();
  });

  it('a run aborted in epoch 3 resumes from the epoch-2 checkpoint to the same weights and history', async () => {
    const whole = task(2);
    const reference = await fit({ tf, task: whole.task, settings });
    const workDir = mkdtempSync(join(tmpdir(), 'serx-fit-'));
    const killed = task(2);
    const abort = new AbortController();
    const trainEpoch = killed.task.trainEpoch;
    killed.task.trainEpoch = (ctx) => {
      if (ctx.epoch === 3) abort.abort(new Error('killed'));
      return trainEpoch(ctx);
    };
    await expect(
      fit({
        tf,
        task: killed.task,
        settings,
        checkpoint: { workDir, fingerprint: 'b' },
        signal: abort.signal,
      }),
    ).rejects.toThrow('killed');
    const again = task(2);
    let resumedAt = -1;
    const resumed = await fit({
      tf,
      task: again.task,
      settings,
      checkpoint: { workDir, fingerprint: 'b' },
      onResume: (e) => (resumedAt = e),
    });
    expect(resumedAt).toBe(2);
    expect(resumed.resumedAfter).toBe(2);
    expect(resumed.history).toEqual(reference.history);
    expect(values(again.model)).toEqual(values(whole.model));
    // a checkpoint of another configuration is ignored
    const other = task(2);
    expect(
      (await fit({ tf, task: other.task, settings, checkpoint: { workDir, fingerprint: 'c' } })).resumedAfter,
    ).toBeNull();
  });

  it('releases the optimizer and the best-weights copy: an aborted or finished fit leaves numTensors where it was', async () => {
    const { model, task: t } = task(6);
    const workDir = mkdtempSync(join(tmpdir(), 'serx-fit-leak-'));
    const before = tf.memory().numTensors;
    const abort = new AbortController();
    const trainEpoch = t.trainEpoch;
    let steps = 0;
    // cancelled mid-epoch 3: by then a best-weights copy, Adam's moments and two checkpoints exist
    t.trainEpoch = (ctx) =>
      trainEpoch({
        ...ctx,
        step: (loss) => {
          if (ctx.epoch === 3 && ++steps === 3) abort.abort(new Error('cancelled'));
          return ctx.step(loss);
        },
      });
    await expect(
      fit({ tf, task: t, settings, checkpoint: { workDir, fingerprint: 'leak' }, signal: abort.signal }),
    ).rejects.toThrow('cancelled');
    expect(tf.memory().numTensors).toBe(before);
    // resumed from that checkpoint and run to the end: the loaded state is released too
    t.trainEpoch = trainEpoch;
    const resumed = await fit({ tf, task: t, settings, checkpoint: { workDir, fingerprint: 'leak' } });
    expect(resumed.resumedAfter).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('decays the weights weightDecayOn names, and refuses a name the model does not have', () => {
    const { model, task: t } = task(7);
    const names = (ws: tfjs.LayerVariable[]) => ws.map((w) => w.originalName);
    expect(names(weightsUnderDecay(t, ['kernel']))).toEqual(
      names(t.trainable.filter((w) => /kernel$/.test(w.originalName))),
    );
    expect(names(weightsUnderDecay(t, ['bias'])).every((n) => n.endsWith('/bias'))).toBe(true);
    expect(weightsUnderDecay(t, [])).toEqual([]);
    // a dense model has no LSTM: naming its recurrent kernel is a mistake, not a silent no-op
    expect(() => weightsUnderDecay(t, ['kernel', 'recurrent_kernel'])).toThrow(
      expect.objectContaining({
        code: 'SPEC_PARAMS',
        message: expect.stringContaining("'recurrent_kernel'"),
      }),
    );
    model.dispose();
  });

  it("restores Adam exactly: its bias-correction powers as held, not tfjs's recomputed pow(β, t + 1)", async () => {
    const bits = (t: tfjs.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));
    const start = [0.5, -0.3, 0.2];
    const w = tf.variable(tf.tensor1d(start));
    const loss = (v: tfjs.Variable) => () =>
      tf.sum(tf.mul(tf.square(v), tf.tensor1d([1, 3, 0.5]))) as tfjs.Scalar;
    const adam = tf.train.adam(0.01);
    for (let i = 0; i < 40; i++) adam.minimize(loss(w), false, [w]);
    const state = await saveAdamState(tf, adam);
    const copy = state.tensors.map((t) => ({ name: t.name, tensor: tf.clone(t.tensor) }));
    tf.dispose(state.owned);
    const resumeWith = async (restore: (o: tfjs.AdamOptimizer) => Promise<void>) => {
      const v = tf.variable(w.clone());
      const o = tf.train.adam(0.01);
      await restore(o);
      for (let i = 0; i < 40; i++) o.minimize(loss(v), false, [v]);
      const out = bits(v);
      o.dispose();
      v.dispose();
      return out;
    };
    const exact = await resumeWith((o) => restoreAdamState(o, copy));
    const recomputed = await resumeWith((o) => o.setWeights(copy.filter((t) => !t.name.startsWith('adam/'))));
    for (let i = 0; i < 40; i++) adam.minimize(loss(w), false, [w]);
    expect(exact).toEqual(bits(w));
    // the cause of issue 24's drift: tfjs's own setWeights does not continue bit for bit
    expect(recomputed).not.toEqual(bits(w));
    tf.dispose([w, ...copy.map((t) => t.tensor)]);
    adam.dispose();
  });

  it('lowers the learning rate on a plateau and the optimizer steps with it', async () => {
    const { task: t } = task(3);
    const stalls = {
      ...settings,
      epochs: 5,
      learningRate: 0.5,
      lrSchedule: { kind: 'plateau', factor: 0.1, patience: 1, minLr: 0.001 },
    } as const;
    let calls = 0;
    const validate = t.validate;
    // validation loss never falls after epoch 1: every later epoch lowers the rate
    t.validate = () => ({ ...validate(), loss: calls++ === 0 ? 0 : 1 });
    const { history } = await fit({ tf, task: t, settings: stalls });
    const expected = [0.5, 0.5, 0.05, 0.005, 0.001];
    for (const [i, e] of history.epochs.entries()) expect(e.lr).toBeCloseTo(expected[i]!, 12);
  });

  it('setLearningRate changes the step of an Adam optimizer in place', () => {
    // Adam's first steps move a weight by ≈ lr against the gradient's sign.
    const w = tf.variable(tf.scalar(0));
    const adam = tf.train.adam(0.1);
    const step = () => adam.minimize(() => tf.mul(w, 3) as tfjs.Scalar, false, [w]);
    step();
    expect(w.dataSync()[0]).toBeCloseTo(-0.1, 4);
    setLearningRate(adam, 0.01);
    step();
    expect(w.dataSync()[0]).toBeCloseTo(-0.11, 4);
  });

  it('validates the starting weights when asked (a continued training)', async () => {
    const { task: t } = task(4);
    const start = t.validate().values;
    const { history } = await fit({
      tf,
      task: t,
      settings: { ...settings, epochs: 1 },
      validateStart: true,
    });
    expect(history.start).toEqual(start);
  });

  it('formats durations without a 60-second minute', () => {
    expect(formatSeconds(59.6)).toBe('1m00s');
    expect(formatSeconds(125)).toBe('2m05s');
    expect(formatSeconds(7.2)).toBe('7s');
  });
});

describe('trainStep', () => {
  it('clips gradients to a global norm', () => {
    const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) }; // norm 5
    const clipped = clipByGlobalNorm(tf, grads, 1);
    expect(Array.from(clipped.a!.dataSync())).toEqual([expect.closeTo(0.6, 6), 0]);
    expect(Array.from(clipped.b!.dataSync())).toEqual([0, expect.closeTo(0.8, 6)]);
    const loose = clipByGlobalNorm(tf, grads, 10);
    expect(Array.from(loose.b!.dataSync())).toEqual([0, 4]);
  });

  it('adds the L2 term to the gradient but reports the data loss alone', () => {
    // loss = w (gradient 1); with decay 0.5: d/dw (w + 0.5 w²) = 1 + w = 3 at w = 2; SGD lr 1 → w = -1
    const w = tf.variable(tf.scalar(2), true, 'decay_test/kernel');
    const sgd = tf.train.sgd(1);
    const reported = trainStep(tf, sgd, [w], () => tf.mul(w, 1) as tfjs.Scalar, {
      weightDecay: 0.5,
      decayed: [w],
      clipNorm: 0,
    });
    expect(reported).toBe(2);
    expect(w.dataSync()[0]).toBeCloseTo(-1, 6);
    trainStep(tf, sgd, [w], () => tf.mul(w, 1) as tfjs.Scalar, { weightDecay: 0, decayed: [w], clipNorm: 0 });
    expect(w.dataSync()[0]).toBeCloseTo(-2, 6);
  });
});
