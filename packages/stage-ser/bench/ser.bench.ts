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
 *   BENCH_ROUNDS=3 BENCH_STEPS=3 BENCH_BATCH=32 BENCH_FRAMES=300 SERX_THREADS=2 npm run bench -- stage-ser
 */
import { join } from 'node:path';
import { threadBudget } from '@serx/core';
import { buildStructure, registerBuiltinStructures, useNativeReluGrad } from '@serx/stage-autoencoder';
import { loadTensorflow } from '@serx/tf-backend';
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
const variants: Variant[] = [
  ...(backend === 'tensorflow' ? (['SerxLSTM cellgrad', 'SerxLSTM block'] as const) : []),
  'SerxLSTM autodiff',
  'tf.layers.lstm',
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

console.log(
  `CNN-LSTM: parry-cnn (${bottleneck.seqSteps} bottleneck steps × ${bottleneck.units}) → LSTM ${cfg.lstmUnits} → dense ${cfg.hiddenUnits} → ${cfg.classes}; ` +
    `batch ${cfg.batch} × ${cfg.frames} frames × ${cfg.numCeps} MFCC; ${cfg.rounds} alternating rounds of ${cfg.steps} steps; ` +
    `${cfg.threads} thread(s); backend ${backend} (libtensorflow ${libtensorflowVersion ?? '-'}); native ReluGrad ${nativeReluGrad ? 'on' : 'off'}`,
);

async function measure(mode: Mode) {
  const keras: KerasWorker = await startKerasWorker(join(import.meta.dirname, 'ser_keras.py'), {
    ...cfg,
    conv: params.conv,
    units: params.units,
    mode,
    seqSteps: bottleneck.seqSteps,
  });
  const steppers = new Map(variants.map((v) => [v, tfjsStepper(tf, v, mode, cfg, bottleneck)]));
  const samples = cfg.batch * cfg.steps;
  const rounds: { [name: string]: Timing }[] = [];
  for (let r = 0; r < cfg.rounds; r++) {
    const round: { [name: string]: Timing } = { keras: await keras.time(cfg.steps) };
    for (const [variant, stepper] of steppers) round[variant] = stepper(cfg.steps);
    rounds.push(round);
    console.log(
      `${mode} round ${r + 1} (samples/s by wall | by CPU time): ${Object.entries(round)
        .map(([n, t]) => `${n} ${(samples / t.wall).toFixed(1)} | ${(samples / t.cpu).toFixed(1)}`)
        .join(', ')}`,
    );
  }
  keras.close();
  const rate = (name: string, clock: keyof Timing) =>
    median(rounds.map((r) => samples / (r[name] as Timing)[clock]));
  const ratio = (name: string, clock: keyof Timing) =>
    median(rounds.map((r) => (r.keras as Timing)[clock] / (r[name] as Timing)[clock]));
  const kerasSamplesPerSec = rate('keras', 'wall');
  const kerasSamplesPerCpuSec = rate('keras', 'cpu');
  const byVariant = Object.fromEntries(
    variants.map((v) => [
      v,
      {
        samplesPerSec: rate(v, 'wall'),
        ratio: ratio(v, 'wall'),
        samplesPerCpuSec: rate(v, 'cpu'),
        cpuRatio: ratio(v, 'cpu'),
      },
    ]),
  );
  for (const [v, r] of Object.entries(byVariant)) {
    console.log(
      `${mode} median ${v}: ${r.samplesPerSec.toFixed(1)} samples/s = ${r.ratio.toFixed(2)}× Keras (${kerasSamplesPerSec.toFixed(1)}); ` +
        `per CPU second ${r.samplesPerCpuSec.toFixed(1)} = ${r.cpuRatio.toFixed(2)}× Keras (${kerasSamplesPerCpuSec.toFixed(1)})`,
    );
  }
  return { keras: keras.info, kerasSamplesPerSec, kerasSamplesPerCpuSec, variants: byVariant };
}

const full = await measure('full');
const lstm = await measure('lstm');
const pipeline = await pipelineSamplesPerSecond(cfg, cfg.batch * cfg.steps * 2);
console.log(
  `ser:train stage path (feature store → length buckets → steps; epochs 2–3): ${pipeline.toFixed(1)} samples/s`,
);
const target = full.variants['SerxLSTM cellgrad'] ?? full.variants['SerxLSTM autodiff'];
console.log(
  `default CNN-LSTM: ${target?.ratio.toFixed(2)}× Keras by wall clock, ${target?.cpuRatio.toFixed(2)}× per CPU second (target ≥ 0.8×)`,
);
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
    lstmOnly: {
      seqSteps: bottleneck.seqSteps,
      kerasSamplesPerSec: lstm.kerasSamplesPerSec,
      kerasSamplesPerCpuSec: lstm.kerasSamplesPerCpuSec,
      variants: lstm.variants,
    },
    pipelineSamplesPerSec: pipeline,
  }),
);
