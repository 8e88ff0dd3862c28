/**
 * `npm run bench -- stage-ser`: training throughput of the default CNN-LSTM (parry-cnn encoder →
 * LSTM 128 → dense 64 → softmax) with tfjs-node versus the same model in Keras (tensorflow-cpu
 * from the same wheel as libtensorflow), same batch, frames, loss, optimiser and thread count, in
 * one run. tfjs variants: `tf.layers.lstm` (tfjs-layers' step-by-step cell), `SerxLSTM autodiff`
 * (all steps' input projection in one matmul, ~11 taped ops per step), `SerxLSTM block`
 * (TensorFlow's fused BlockLSTM forward and backward kernels) and `SerxLSTM cellgrad` (fused
 * forward; backward one LSTMBlockCellGrad + one matmul per step, weight gradients as large
 * matmuls; the default). Each is measured on the whole model and on
 * the recurrent part alone. The machine is shared, so variants run in alternating rounds; figures
 * are per-round medians, by wall clock and per process-CPU second (the latter is what contention
 * from other processes distorts least).
 *
 * `BENCH_REGULARISED=both` (default) measures the full model twice: plain, and with ser:train's
 * recipe regularisers on both sides (dropout, SpecAugment, L2, clipping, class weights; see
 * ser_keras.py). Ratios are per round (median) and of the best round of each side (best of
 * `BENCH_ROUNDS`); the utilisation is the step's FLOPs (counted from the layer shapes, see
 * bench/utilisation.ts) × steps/s ÷ the machine's peak. Exits 1 when the default variant's best
 * ratio on the full model is below `BENCH_TARGET` (default 1.2) by CPU time or by wall clock.
 * Keras' recurrent dropout is serx's (DropConnect on the recurrent kernel, one mask per batch);
 * `BENCH_KERAS_RECURRENT_DROPOUT=1` uses Keras' own `recurrent_dropout` instead (another
 * regulariser, and a slower one). `BENCH_VARIANTS=cellgrad` runs the default variant only;
 * `BENCH_LSTM=0` skips the LSTM-only mode, `BENCH_PIPELINE=0` the stage path.
 *
 *   BENCH_ROUNDS=3 BENCH_STEPS=3 BENCH_BATCH=32 BENCH_FRAMES=300 SERX_THREADS=2 npm run bench -- stage-ser
 */
import { join } from 'node:path';
import { threadBudget } from '@serx/core';
import { buildStructure, registerBuiltinStructures, useNativeReluGrad } from '@serx/stage-autoencoder';
import { loadTensorflow, serxKernelsAvailable } from '@serx/tf-backend';
import {
  type ConvLayer,
  convStackFlops,
  denseFlops,
  lstmFlops,
  peakFlops,
  trainingFlops,
  utilisation,
} from '../../../bench/utilisation.ts';
import { type KerasWorker, startKerasWorker, type Timing } from './keras-worker.ts';
import { pipelineSamplesPerSecond } from './pipeline.ts';
import { type Mode, tfjsStepper, type Variant } from './steppers.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const cfg = {
  batch: env('BENCH_BATCH', 32),
  frames: env('BENCH_FRAMES', 300),
  numCeps: 40,
  classes: 3,
  lstmUnits: 128,
  hiddenUnits: 64,
  steps: env('BENCH_STEPS', 3),
  rounds: env('BENCH_ROUNDS', 3),
  warmup: 2,
  threads: threadBudget(),
  learningRate: 0.001,
};

const { tf, backend, libtensorflowVersion } = await loadTensorflow({ threads: cfg.threads });
registerBuiltinStructures();
const nativeReluGrad = useNativeReluGrad(tf);
const built = buildStructure(tf, { name: 'parry-cnn' }, { numCeps: cfg.numCeps, seed: 1, decoder: false });
const params = built.ref.params as { conv: unknown; units: number };
const bottleneck = { units: built.units, seqSteps: Math.ceil(cfg.frames / built.timeStride) };
const fused = serxKernelsAvailable(tf);
const allVariants: Variant[] = [
  ...(fused ? (['SerxLSTM fused'] as const) : []),
  ...(backend === 'tensorflow' ? (['SerxLSTM cellgrad', 'SerxLSTM block'] as const) : []),
  'SerxLSTM autodiff',
  'tf.layers.lstm',
];
// what `impl: 'auto'` runs here (ser:train's default)
const defaultVariant: Variant = fused
  ? 'SerxLSTM fused'
  : backend === 'tensorflow'
    ? 'SerxLSTM cellgrad'
    : 'SerxLSTM autodiff';
const only = process.env.BENCH_VARIANTS?.split(',').map((v) => v.trim());
const variants = only ? allVariants.filter((v) => only.some((o) => v.endsWith(o))) : allVariants;
const regularisedModes = { both: [false, true], on: [true], off: [false] }[
  (process.env.BENCH_REGULARISED ?? 'both') as 'both'
] ?? [false, true];
const target = env('BENCH_TARGET', 1.2);
const peak = peakFlops(cfg.threads);
// One step's FLOPs from the layer shapes (forward × 3, see bench/utilisation.ts).
const convForward = convStackFlops(cfg.batch, cfg.frames, cfg.numCeps, params.conv as ConvLayer[]);
const headForward =
  lstmFlops(cfg.batch, bottleneck.seqSteps, bottleneck.units, cfg.lstmUnits) +
  denseFlops(cfg.batch, cfg.lstmUnits, cfg.hiddenUnits) +
  denseFlops(cfg.batch, cfg.hiddenUnits, cfg.classes);
const stepFlops = {
  full: trainingFlops(
    convForward.flops +
      denseFlops(cfg.batch * bottleneck.seqSteps, convForward.ceps * convForward.cin, bottleneck.units) +
      headForward,
  ),
  lstm: trainingFlops(headForward),
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

console.log(
  `CNN-LSTM: parry-cnn (${bottleneck.seqSteps} bottleneck steps × ${bottleneck.units}) → LSTM ${cfg.lstmUnits} → dense ${cfg.hiddenUnits} → ${cfg.classes}; ` +
    `batch ${cfg.batch} × ${cfg.frames} frames × ${cfg.numCeps} MFCC; ${cfg.rounds} alternating rounds of ${cfg.steps} steps; ` +
    `${cfg.threads} thread(s); backend ${backend} (libtensorflow ${libtensorflowVersion ?? '-'}); native ReluGrad ${nativeReluGrad ? 'on' : 'off'}`,
);

async function measure(mode: Mode, regularised = false) {
  const keras: KerasWorker = await startKerasWorker(join(import.meta.dirname, 'ser_keras.py'), {
    ...cfg,
    conv: params.conv,
    units: params.units,
    mode,
    seqSteps: bottleneck.seqSteps,
    regularised,
    kerasRecurrentDropout: process.env.BENCH_KERAS_RECURRENT_DROPOUT === '1',
  });
  const label = `${mode}${regularised ? ' regularised' : ''}`;
  // tf.layers.lstm has no seeded dropout: it has no regularised variant
  const measured = regularised ? variants.filter((v) => v !== 'tf.layers.lstm') : variants;
  const steppers = new Map(
    measured.map((v) => [v, tfjsStepper(tf, v, mode, { ...cfg, regularised }, bottleneck)]),
  );
  const samples = cfg.batch * cfg.steps;
  const rounds: { [name: string]: Timing }[] = [];
  for (let r = 0; r < cfg.rounds; r++) {
    const round: { [name: string]: Timing } = { keras: await keras.time(cfg.steps) };
    for (const [variant, stepper] of steppers) round[variant] = stepper(cfg.steps);
    rounds.push(round);
    console.log(
      `${label} round ${r + 1} (samples/s by wall | by CPU time): ${Object.entries(round)
        .map(([n, t]) => `${n} ${(samples / t.wall).toFixed(1)} | ${(samples / t.cpu).toFixed(1)}`)
        .join(', ')}`,
    );
  }
  keras.close();
  const rate = (name: string, clock: keyof Timing) =>
    median(rounds.map((r) => samples / (r[name] as Timing)[clock]));
  const ratio = (name: string, clock: keyof Timing) =>
    median(rounds.map((r) => (r.keras as Timing)[clock] / (r[name] as Timing)[clock]));
  const best = (name: string, clock: keyof Timing) =>
    Math.min(...rounds.map((r) => (r[name] as Timing)[clock]));
  const kerasSamplesPerSec = rate('keras', 'wall');
  const kerasSamplesPerCpuSec = rate('keras', 'cpu');
  const byVariant = Object.fromEntries(
    measured.map((v) => [
      v,
      {
        samplesPerSec: rate(v, 'wall'),
        ratio: ratio(v, 'wall'),
        samplesPerCpuSec: rate(v, 'cpu'),
        cpuRatio: ratio(v, 'cpu'),
        bestRatio: best('keras', 'wall') / best(v, 'wall'),
        bestCpuRatio: best('keras', 'cpu') / best(v, 'cpu'),
      },
    ]),
  );
  const flops = stepFlops[mode];
  const util = (name: string) => {
    const stepsPerSec = cfg.steps / best(name, 'wall');
    const perCpu = cfg.steps / best(name, 'cpu');
    return `${utilisation(flops, stepsPerSec, peak.flops, 'the machine’s peak')} by wall; per CPU second ${utilisation(flops, perCpu, peak.flops / cfg.threads, 'one core’s peak')}`;
  };
  console.log(
    `${label} Keras best: ${(cfg.steps / best('keras', 'wall')).toFixed(2)} steps/s; ${util('keras')}`,
  );
  for (const [v, r] of Object.entries(byVariant)) {
    console.log(
      `${label} best of ${cfg.rounds} ${v}: ${r.bestRatio.toFixed(2)}× Keras by wall, ${r.bestCpuRatio.toFixed(2)}× per CPU second; ` +
        `wall ${best(v, 'wall').toFixed(2)} s vs Keras ${best('keras', 'wall').toFixed(2)} s, CPU ${best(v, 'cpu').toFixed(2)} s vs Keras ${best('keras', 'cpu').toFixed(2)} s for ${cfg.steps} steps; ${util(v)}`,
    );
    console.log(
      `${label} median ${v}: ${r.samplesPerSec.toFixed(1)} samples/s = ${r.ratio.toFixed(2)}× Keras (${kerasSamplesPerSec.toFixed(1)}); ` +
        `per CPU second ${r.samplesPerCpuSec.toFixed(1)} = ${r.cpuRatio.toFixed(2)}× Keras (${kerasSamplesPerCpuSec.toFixed(1)})`,
    );
  }
  return { keras: keras.info, kerasSamplesPerSec, kerasSamplesPerCpuSec, variants: byVariant };
}

console.log(`peak FP32: ${(peak.flops / 1e9).toFixed(1)} GFLOP/s = ${peak.assumption}`);
console.log(
  `one training step: full model ${(stepFlops.full / 1e9).toFixed(2)} GFLOP, LSTM part ${(stepFlops.lstm / 1e9).toFixed(2)} GFLOP (3 × forward)`,
);
const fulls = [];
for (const regularised of regularisedModes)
  fulls.push({ regularised, result: await measure('full', regularised) });
const full = (fulls[0] as (typeof fulls)[number]).result;
const lstm = process.env.BENCH_LSTM === '0' ? null : await measure('lstm');
const pipeline =
  process.env.BENCH_PIPELINE === '0' ? null : await pipelineSamplesPerSecond(cfg, cfg.batch * cfg.steps * 2);
if (pipeline !== null)
  console.log(
    `ser:train stage path (feature store → length buckets → steps; epochs 2–3): ${pipeline.toFixed(1)} samples/s`,
  );
let missed = false;
for (const { regularised, result } of fulls) {
  const t = result.variants[defaultVariant];
  if (!t) continue;
  const ok = t.bestRatio >= target && t.bestCpuRatio >= target;
  missed ||= !ok;
  console.log(
    `default CNN-LSTM (${defaultVariant})${regularised ? ' (regularised)' : ''}: best ${t.bestRatio.toFixed(2)}× Keras by wall clock, ${t.bestCpuRatio.toFixed(2)}× per CPU second; ` +
      `median ${t.ratio.toFixed(2)}× / ${t.cpuRatio.toFixed(2)}× (target ≥ ${target}×${ok ? '' : ': MISSED'})`,
  );
}
console.log(
  JSON.stringify({
    bench: 'ser-cnn-lstm',
    ...cfg,
    backend,
    libtensorflow: libtensorflowVersion ?? null,
    tensorflow: full.keras.tensorflow,
    keras: full.keras.keras,
    params: full.keras.params,
    full: {
      kerasSamplesPerSec: full.kerasSamplesPerSec,
      kerasSamplesPerCpuSec: full.kerasSamplesPerCpuSec,
      variants: full.variants,
    },
    regularised: fulls.find((f) => f.regularised)?.result.variants ?? null,
    lstmOnly: lstm && {
      seqSteps: bottleneck.seqSteps,
      kerasSamplesPerSec: lstm.kerasSamplesPerSec,
      kerasSamplesPerCpuSec: lstm.kerasSamplesPerCpuSec,
      variants: lstm.variants,
    },
    pipelineSamplesPerSec: pipeline,
    stepFlops,
    peakFlops: peak.flops,
  }),
);
if (missed) process.exit(1);
