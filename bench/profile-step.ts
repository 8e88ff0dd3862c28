/**
 * `node --import tsx bench/profile-step.ts [ser|ae]` (not a `.bench.ts`: run by hand, optionally with
 * `--cpu-prof`): where one training step's time goes. Wraps tfjs-node's native binding so that every
 * TensorFlow op is counted and timed (`executeOp` runs the kernel synchronously: its time is kernel
 * + binding), likewise tensor creation, reads (dataSync) and deletes (dispose); the rest of the step
 * is JavaScript (tfjs dispatch, tape, layers, data assembly). The CNN-LSTM step is the recipe's:
 * dropout, SpecAugment, L2, clipping, class weights (PROFILE_PLAIN=1: none of them).
 */
import { mixSeed, mulberry32 } from '@serx/core';
import { buildStructure, registerBuiltinStructures, useNativeReluGrad } from '@serx/stage-autoencoder';
import { loadTensorflow } from '@serx/tf-backend';
import { createAdam, padBatch, specAugment, trainStep } from '@serx/training';
import type * as tfjs from '@tensorflow/tfjs';
import {
  autoencoderStep,
  plainStep,
  trainableVariables,
} from '../packages/stage-autoencoder/src/training/trainer.ts';
import { assembleCnnLstm } from '../packages/stage-ser/src/model/cnn-lstm.ts';
import { keepMask, serxDropoutClass, setNoiseSeed } from '../packages/stage-ser/src/model/dropout.ts';
// (keepMask is the production mask; PROFILE_OLD_MASK swaps in the explicit randomUniform formulation)
import { weightedCrossEntropy } from '../packages/stage-ser/src/training/loss.ts';

const which = process.argv[2] ?? 'ser';
const plain = process.env.PROFILE_PLAIN === '1';
// PROFILE_REG=dropout,l2,clip,spec,weights: only these regularisers (default: all, unless plain)
const regs = new Set((process.env.PROFILE_REG ?? (plain ? '' : 'dropout,l2,clip,spec,weights')).split(','));
const steps = Number(process.env.PROFILE_STEPS ?? 10);
const batchSize = 32;
const numCeps = 40;
const { tf } = await loadTensorflow({ threads: Number(process.env.PROFILE_THREADS ?? 2) });
registerBuiltinStructures();
useNativeReluGrad(tf);

// --- instrument the binding
type Binding = {
  executeOp: (name: string, attrs: unknown[], inputs: number[], n: number) => unknown;
  createTensor: (...a: unknown[]) => number;
  tensorDataSync: (...a: unknown[]) => unknown;
  deleteTensor: (id: number) => void;
};
const backendObject = tf.backend() as unknown as { binding: Binding };
const binding = backendObject.binding;
const proxy = Object.create(binding) as { [k: string]: unknown };
backendObject.binding = proxy as unknown as Binding;
const ops = new Map<string, { n: number; ms: number; cpu: number }>();
const other = { create: 0, createMs: 0, read: 0, readMs: 0, del: 0, delMs: 0 };
let counting = false;
// CPU time of the whole process around each call (the op runs synchronously on the calling thread
// and the intra-op pool): robust to other processes on a busy machine, unlike the wall time.
const wrap = <K extends keyof Binding>(
  key: K,
  onDone: (ms: number, args: unknown[], cpuMs: number, out: unknown) => void,
) => {
  const original = binding[key] as (...a: unknown[]) => unknown;
  Object.defineProperty(proxy, key, {
    value: (...args: unknown[]) => {
      if (!counting) return original.apply(binding, args);
      const c = process.cpuUsage();
      const t = performance.now();
      const out = original.apply(binding, args);
      const ms = performance.now() - t;
      const used = process.cpuUsage(c);
      onDone(ms, args, (used.user + used.system) / 1000, out);
      return out;
    },
  });
};
const instrument = process.env.PROFILE_NO_WRAP !== '1';
if (instrument)
  wrap('executeOp', (ms, args, cpuMs, out) => {
    // PROFILE_SHAPES=1: one row per op and output shape
    const name =
      process.env.PROFILE_SHAPES === '1'
        ? `${args[0]} ${((out as { shape: number[] }[])[0]?.shape ?? []).join('x')}`
        : (args[0] as string);
    const e = ops.get(name) ?? { n: 0, ms: 0, cpu: 0 };
    e.n++;
    e.ms += ms;
    e.cpu += cpuMs;
    ops.set(name, e);
  });
if (instrument)
  wrap('createTensor', (ms, args, cpuMs) => {
    other.create++;
    other.createMs += ms;
    if (process.env.PROFILE_SHAPES === '1') {
      const name = `createTensor ${(args[0] as number[]).join('x')}`;
      const e = ops.get(name) ?? { n: 0, ms: 0, cpu: 0 };
      e.n++;
      e.ms += ms;
      e.cpu += cpuMs;
      ops.set(name, e);
    }
  });
if (instrument)
  wrap('tensorDataSync', (ms) => {
    other.read++;
    other.readMs += ms;
  });
if (instrument)
  wrap('deleteTensor', (ms) => {
    other.del++;
    other.delMs += ms;
  });

let dataMs = 0;
let abToggle: (old: boolean) => void = () => {};
let dropoutMs = 0;
let maskMs = 0;
{
  const proto = serxDropoutClass(tf).prototype as unknown as { call: (...a: unknown[]) => unknown };
  const call = proto.call;
  // PROFILE_OLD_MASK=1: masks as before the one-pass keepMask (randomUniform >= rate, cast, / (1 - rate))
  let oldMask = process.env.PROFILE_OLD_MASK === '1';
  abToggle = (old: boolean) => {
    oldMask = old;
  };
  const oldCall = function (this: { rate: number; salt: number; noiseSeed: number }, ...args: unknown[]) {
    const x = (Array.isArray(args[0]) ? args[0][0] : args[0]) as tfjs.Tensor;
    if (!(args[1] as { training?: boolean })?.training || this.rate <= 0) return x;
    const seed = mixSeed(this.noiseSeed, this.salt);
    return tf.tidy(() =>
      tf.mul(
        x,
        tf.div(
          tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed), this.rate), 'float32'),
          1 - this.rate,
        ),
      ),
    );
  };
  proto.call = function (this: unknown, ...args: unknown[]) {
    const t = performance.now();
    const out = (oldMask ? oldCall : call).apply(this as never, args);
    dropoutMs += performance.now() - t;
    const x = (Array.isArray(args[0]) ? args[0][0] : args[0]) as tfjs.Tensor;
    if (process.env.PROFILE_EXTRA_MASK === '1' && counting && (args[1] as { training?: boolean })?.training) {
      const c2 = process.cpuUsage();
      keepMask(tf, x.shape, 0.1, 5).dispose();
      const u2 = process.cpuUsage(c2);
      maskMs += (u2.user + u2.system) / 1000;
    }
    return out;
  };
}
const random = mulberry32(7);
// PROFILE_FRAMES=300: every utterance that long (the benches' fixed batch); default 240–360 frames
const fixedFrames = Number(process.env.PROFILE_FRAMES ?? 0);
const lengths = Array.from({ length: batchSize }, () =>
  fixedFrames > 0 ? fixedFrames : Math.round(240 + 120 * random()),
);
const utterances = lengths.map((n) => Float32Array.from({ length: n * numCeps }, () => random() * 2 - 1));

let run: (i: number) => void;
if (which === 'ser') {
  const built = buildStructure(tf, { name: 'parry-cnn' }, { numCeps, seed: 1, decoder: false });
  let k = 0;
  const model = assembleCnnLstm(
    tf,
    built.encoder,
    {
      lstmUnits: 128,
      hiddenUnits: 64,
      classes: ['a', 'b', 'c'],
      dropout: !regs.has('dropout')
        ? { conv: 0, lstmInput: 0, lstmRecurrent: 0, dense: 0 }
        : { conv: 0.1, lstmInput: 0.2, lstmRecurrent: 0.1, dense: 0.3 },
    },
    {
      numCeps,
      timeStride: built.timeStride,
      initializer: () => tf.initializers.glorotUniform({ seed: 50 + k++ }),
    },
  );
  const optimizer = createAdam(tf, 0.001);
  const variables = model.trainableWeights.map((w) => w.read() as tfjs.Variable);
  const decayed = model.trainableWeights
    .filter((w) => /kernel$/.test(w.originalName))
    .map((w) => w.read() as tfjs.Variable);
  const settings = { weightDecay: regs.has('l2') ? 1e-4 : 0, decayed, clipNorm: regs.has('clip') ? 5 : 0 };
  const labels = Int32Array.from({ length: batchSize }, (_, i) => i % 3);
  const classWeights = regs.has('weights') ? [1.2, 0.8, 1.0] : null;
  run = (i) => {
    const t0 = performance.now();
    const batch = padBatch(
      batchSize,
      (b) => lengths[b] as number,
      (b) => utterances[b] as Float32Array,
      {
        numCeps,
        minFrames: 100,
        maxFrames: 1500,
        padMultiple: 32,
        cropRandom: random,
      },
    );
    if (!plain)
      specAugment(batch, { timeMasks: 2, timeMaskWidth: 20, freqMasks: 2, freqMaskWidth: 5 }, random);
    setNoiseSeed(model, mixSeed(1, i));
    dataMs += performance.now() - t0;
    const inputs = [
      tf.tensor4d(batch.x, [batch.size, batch.frames, numCeps, 1]),
      tf.tensor2d(batch.lengths, [batch.size, 1]),
    ];
    let probs: tfjs.Tensor | undefined;
    trainStep(
      tf,
      optimizer,
      variables,
      () => {
        const [p] = model.apply(inputs, { training: true }) as tfjs.Tensor[];
        probs = tf.keep(p as tfjs.Tensor);
        return weightedCrossEntropy(tf, p as tfjs.Tensor, labels, classWeights);
      },
      settings,
    );
    probs?.dataSync();
    tf.dispose([probs as tfjs.Tensor, ...inputs]);
  };
} else {
  const built = buildStructure(tf, { name: 'parry-cnn' }, { numCeps, seed: 1 });
  const models = { encoder: built.encoder, decoder: built.decoder!, timeStride: built.timeStride };
  const optimizer = createAdam(tf, 0.001);
  const step = plainStep(tf, optimizer, trainableVariables([built.encoder, built.decoder!]));
  const frames = fixedFrames > 0 ? 4 : 320;
  run = () => {
    const t0 = performance.now();
    const padded = padBatch(
      batchSize,
      (b) => lengths[b] as number,
      (b) => utterances[b] as Float32Array,
      {
        numCeps,
        minFrames: 100,
        maxFrames: 1500,
        padMultiple: frames,
      },
    );
    const mask = new Float32Array(batchSize * padded.frames);
    padded.lengths.forEach((l, b) => {
      mask.fill(1, b * padded.frames, b * padded.frames + l);
    });
    dataMs += performance.now() - t0;
    autoencoderStep(tf, step, models, { ...padded, mask }, 0.01);
  };
}

for (let i = 0; i < 3; i++) run(i);
dataMs = 0;
dropoutMs = 0;
counting = true;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < steps; i++) run(100 + i);
const wall = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
counting = false;
if (process.env.PROFILE_AB === '1') {
  // old and new masks alternately, step by step, in this one process: CPU ms per step of each
  counting = false;
  const cpuOf = { old: 0, new: 0 };
  const wallOf = { old: 0, new: 0 };
  for (let i = 0; i < 2 * steps; i++) {
    const old = i % 2 === 0;
    abToggle(old);
    const c = process.cpuUsage();
    const w = performance.now();
    run(1000 + i);
    wallOf[old ? 'old' : 'new'] += performance.now() - w;
    const u = process.cpuUsage(c);
    cpuOf[old ? 'old' : 'new'] += (u.user + u.system) / 1000;
  }
  console.log(
    `A/B over ${steps} steps each: old masks ${(cpuOf.old / steps).toFixed(1)} ms CPU/step, new ${(cpuOf.new / steps).toFixed(1)} ms CPU/step`,
  );
}
const kernelMs = [...ops.values()].reduce((s, e) => s + e.ms, 0);
const kernelCpu = [...ops.values()].reduce((s, e) => s + e.cpu, 0);
const opCount = [...ops.values()].reduce((s, e) => s + e.n, 0);
const per = (x: number) => (x / steps).toFixed(1);
console.log(
  `${which} (${[...regs].join(',') || 'plain'}): ${per(wall)} ms/step wall, ${per((cpu.user + cpu.system) / 1000)} ms CPU; ` +
    `${per(opCount)} TF ops/step taking ${per(kernelMs)} ms (kernel+binding), ${per(kernelCpu)} ms CPU; ` +
    `createTensor ${per(other.create)} (${per(other.createMs)} ms), dataSync ${per(other.read)} (${per(other.readMs)} ms), ` +
    `deleteTensor ${per(other.del)} (${per(other.delMs)} ms); data assembly ${per(dataMs)} ms; ` +
    `JS rest ${per(wall - kernelMs - other.createMs - other.readMs - other.delMs - dataMs)} ms`,
);
console.log(
  `  SerxDropout.call ${per(dropoutMs)} ms/step; keepMask alone (extra draws, same shapes) ${per(maskMs)} ms CPU/step`,
);
const rows = [...ops.entries()].sort((a, b) => b[1].cpu - a[1].cpu);
for (const [name, e] of rows)
  console.log(
    `  ${name.padEnd(40)} ${(e.n / steps).toFixed(0).padStart(5)}/step ${(e.ms / steps).toFixed(2).padStart(8)} ms ${(e.cpu / steps).toFixed(2).padStart(8)} ms CPU`,
  );
