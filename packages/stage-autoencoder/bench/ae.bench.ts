/**
 * `npm run bench` (in packages/stage-autoencoder): training throughput of the default parry-cnn
 * autoencoder with tfjs-node versus the same architecture in Keras (tensorflow-cpu from the same
 * wheel), same batch, frames, loss, optimiser and thread count, in one run. The machine is
 * shared, so tfjs and Keras rounds alternate and the ratio is taken per round (median).
 *
 * Also prints the ratio of the best round of each side (best of `BENCH_ROUNDS`) and the utilisation:
 * one step's FLOPs counted from the layer shapes (bench/utilisation.ts: forward × 3) × steps/s ÷
 * the machine's peak. Exits 1 when a best ratio (wall or CPU) is below `BENCH_TARGET` (default
 * 1.2). The autoencoder's recipe has no regularisers (no dropout, decay or clipping), so there is no
 * regularised variant. `BENCH_PIPELINE=0` skips the stage path.
 *
 *   BENCH_ROUNDS=5 BENCH_STEPS=5 BENCH_BATCH=32 BENCH_FRAMES=300 SERX_THREADS=2 npm run bench
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32, threadBudget } from '@serx/core';
import { loadTensorflow } from '@serx/tf-backend';
import { createAdam } from '@serx/training';
import {
  type ConvLayer,
  convStackFlops,
  denseFlops,
  peakFlops,
  trainingFlops,
  utilisation,
} from '../../../bench/utilisation.ts';
import { buildStructure } from '../src/structures/build.ts';
import { registerBuiltinStructures } from '../src/structures/builtin.ts';
import { openCorpus } from '../src/training/corpus.ts';
import { useNativeReluGrad } from '../src/training/native-gradients.ts';
import { autoencoderStep, plainStep, trainAutoencoder, trainableVariables } from '../src/training/trainer.ts';
import { writeSyntheticStore } from '../test/synthetic-store.ts';
import { startKerasWorker } from './keras-worker.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const cfg = {
  batch: env('BENCH_BATCH', 32),
  frames: env('BENCH_FRAMES', 300),
  numCeps: 40,
  steps: env('BENCH_STEPS', 5),
  rounds: env('BENCH_ROUNDS', 5),
  warmup: 3,
  threads: threadBudget(),
  sparsity: 0.01,
  learningRate: 0.001,
};

const { tf, backend, libtensorflowVersion } = await loadTensorflow({ threads: cfg.threads });
registerBuiltinStructures();
const nativeReluGrad = process.env.BENCH_TFJS_RELU_GRAD === '1' ? false : useNativeReluGrad(tf);
const build = () => buildStructure(tf, { name: 'parry-cnn' }, { numCeps: cfg.numCeps, seed: 1 });

function tfjsStepper(): (steps: number) => { seconds: number; cpuSeconds: number } {
  const built = build();
  const models = { encoder: built.encoder, decoder: built.decoder!, timeStride: built.timeStride };
  const optimizer = createAdam(tf, cfg.learningRate);
  const variables = trainableVariables([built.encoder, built.decoder!]);
  const step = plainStep(tf, optimizer, variables);
  const random = mulberry32(1);
  const x = Float32Array.from({ length: cfg.batch * cfg.frames * cfg.numCeps }, () => random() * 2 - 1);
  const batch = {
    x,
    mask: new Float32Array(cfg.batch * cfg.frames).fill(1),
    lengths: new Float32Array(cfg.batch).fill(cfg.frames),
    size: cfg.batch,
    frames: cfg.frames,
    numCeps: cfg.numCeps,
  };
  for (let i = 0; i < cfg.warmup; i++) autoencoderStep(tf, step, models, batch, cfg.sparsity);
  return (steps) => {
    const start = performance.now();
    const cpu = process.cpuUsage();
    for (let i = 0; i < steps; i++) autoencoderStep(tf, step, models, batch, cfg.sparsity);
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - start) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
  };
}

/** The stage's own path: a feature store on disk, bucketing, padding to 320 frames, masking, one epoch. */
async function pipelineSamplesPerSecond(utterances: number): Promise<{ wall: number; cpu: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'serx-ae-bench-'));
  try {
    await writeSyntheticStore(join(dir, 'store'), {
      utterances,
      dims: cfg.numCeps,
      minFrames: cfg.frames,
      maxFrames: cfg.frames,
      seed: 1,
    });
    const corpus = await openCorpus([join(dir, 'store')]);
    const built = build();
    const all = Int32Array.from({ length: corpus.size }, (_, i) => i);
    const config = {
      ...cfg,
      batchSize: cfg.batch,
      epochs: 1,
      patience: 1,
      minDelta: 0,
      minFrames: 100,
      maxFrames: cfg.frames,
      padMultiple: 32,
      seed: 1,
    };
    const models = { encoder: built.encoder, decoder: built.decoder!, timeStride: built.timeStride };
    // Timed from the end of the first batch (the warm-up the step bench also excludes).
    let first = 0;
    let last = 0;
    let timed = 0;
    let cpu = process.cpuUsage();
    await trainAutoencoder({
      tf,
      corpus,
      train: all,
      validation: new Int32Array(0),
      models,
      config,
      onBatch: (_epoch, batch) => {
        last = performance.now();
        if (batch === 1) {
          first = last;
          cpu = process.cpuUsage();
        } else timed += cfg.batch;
      },
    });
    const used = process.cpuUsage(cpu);
    corpus.close();
    return { wall: timed / ((last - first) / 1000), cpu: timed / ((used.user + used.system) / 1e6) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const params = build().ref.params as { conv: unknown; units: number };
const keras = await startKerasWorker(join(import.meta.dirname, 'ae_keras.py'), {
  ...cfg,
  conv: params.conv,
  units: params.units,
});
const tfjs = tfjsStepper();
console.log(
  `parry-cnn autoencoder (${keras.info.params} encoder params), batch ${cfg.batch} × ${cfg.frames} frames × ${cfg.numCeps} MFCC, ` +
    `${cfg.rounds} alternating rounds of ${cfg.steps} steps, ${cfg.threads} thread(s), native ReluGrad ${nativeReluGrad ? 'on' : 'off'}`,
);
const rounds: { tfjs: number; keras: number; tfjsCpu: number; kerasCpu: number }[] = [];
// One step's FLOPs: encoder convs + bottleneck dense, the decoder mirrors them (its transposed
// convolutions cost what the convolutions they mirror cost), × 3 for forward + backward.
const convs = convStackFlops(cfg.batch, cfg.frames, cfg.numCeps, params.conv as ConvLayer[]);
const stepFlops = trainingFlops(
  2 * (convs.flops + denseFlops(cfg.batch * convs.frames, convs.ceps * convs.cin, params.units)),
);
const peak = peakFlops(cfg.threads);
console.log(
  `one training step ${(stepFlops / 1e9).toFixed(2)} GFLOP (3 × forward); peak FP32 ${(peak.flops / 1e9).toFixed(1)} GFLOP/s = ${peak.assumption}`,
);
for (let r = 0; r < cfg.rounds; r++) {
  const samples = cfg.batch * cfg.steps;
  const t = tfjs(cfg.steps);
  const k = await keras.time(cfg.steps);
  const round = {
    tfjs: samples / t.seconds,
    keras: samples / k.seconds,
    tfjsCpu: samples / t.cpuSeconds,
    kerasCpu: samples / k.cpuSeconds,
  };
  rounds.push(round);
  console.log(
    `round ${r + 1}: tfjs-node ${round.tfjs.toFixed(1)} samples/s, Keras ${round.keras.toFixed(1)} samples/s, ratio ${(round.tfjs / round.keras).toFixed(2)}; ` +
      `per CPU-second ${round.tfjsCpu.toFixed(1)} vs ${round.kerasCpu.toFixed(1)}`,
  );
}
keras.close();
const best = (key: 'tfjs' | 'keras' | 'tfjsCpu' | 'kerasCpu') => Math.max(...rounds.map((r) => r[key]));
const bestRatio = best('tfjs') / best('keras');
const bestCpuRatio = best('tfjsCpu') / best('kerasCpu');
const target = env('BENCH_TARGET', 1.2);
const util = (wallRate: number, cpuRate: number) =>
  `${utilisation(stepFlops, wallRate / cfg.batch, peak.flops, 'the machine’s peak')} by wall; per CPU second ${utilisation(stepFlops, cpuRate / cfg.batch, peak.flops / cfg.threads, 'one core’s peak')}`;
console.log(
  `best of ${cfg.rounds}: tfjs-node ${bestRatio.toFixed(2)}× Keras by wall (${best('tfjs').toFixed(1)} vs ${best('keras').toFixed(1)} samples/s), ` +
    `${bestCpuRatio.toFixed(2)}× per CPU second (${best('tfjsCpu').toFixed(1)} vs ${best('kerasCpu').toFixed(1)}) (target ≥ ${target}×)`,
);
console.log(`utilisation tfjs-node: ${util(best('tfjs'), best('tfjsCpu'))}`);
console.log(`utilisation Keras: ${util(best('keras'), best('kerasCpu'))}`);
const pipeline =
  process.env.BENCH_PIPELINE === '0'
    ? { wall: Number.NaN, cpu: Number.NaN }
    : await pipelineSamplesPerSecond(cfg.batch * cfg.steps * 3);
const result = {
  bench: 'autoencoder',
  ...cfg,
  backend,
  libtensorflow: libtensorflowVersion ?? null,
  keras: keras.info.keras,
  tensorflow: keras.info.tensorflow,
  tfjsSamplesPerSec: median(rounds.map((r) => r.tfjs)),
  kerasSamplesPerSec: median(rounds.map((r) => r.keras)),
  ratio: median(rounds.map((r) => r.tfjs / r.keras)),
  tfjsSamplesPerCpuSec: median(rounds.map((r) => r.tfjsCpu)),
  kerasSamplesPerCpuSec: median(rounds.map((r) => r.kerasCpu)),
  cpuRatio: median(rounds.map((r) => r.tfjsCpu / r.kerasCpu)),
  bestRatio,
  bestCpuRatio,
  stepFlops,
  peakFlops: peak.flops,
  pipelineSamplesPerSec: pipeline.wall,
  pipelineSamplesPerCpuSec: pipeline.cpu,
};
console.log(
  `median: tfjs-node ${result.tfjsSamplesPerSec.toFixed(1)} samples/s, Keras ${result.kerasSamplesPerSec.toFixed(1)} samples/s, ` +
    `ratio ${result.ratio.toFixed(2)}×; per CPU-second (robust to a shared machine) ` +
    `${result.tfjsSamplesPerCpuSec.toFixed(1)} vs ${result.kerasSamplesPerCpuSec.toFixed(1)}, ratio ${result.cpuRatio.toFixed(2)}×; whole stage pipeline (store → buckets → step) ${pipeline.wall.toFixed(1)} samples/s, ${pipeline.cpu.toFixed(1)} per CPU-second`,
);
console.log(JSON.stringify(result));
if (bestRatio < target || bestCpuRatio < target) {
  console.log(`target ${target}× missed`);
  process.exit(1);
}
