import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import type { Tf } from './types.ts';

/**
 * Probe models that exercise every kernel serx trains with (Conv2D + its two gradients, pooling,
 * LSTM, dense, softmax cross-entropy, adam). `small` is the setup check; `paper` has the shape of the
 * paper's CNN-LSTM (100 frames x 40 MFCCs).
 */
export const PROBE_SIZES = {
  small: { frames: 20, coeffs: 16, filters: [8], lstm: 16, batch: 16 },
  paper: { frames: 100, coeffs: 40, filters: [32, 64], lstm: 64, batch: 32 },
} as const;
export type ProbeSize = keyof typeof PROBE_SIZES;

export function buildProbeModel(tf: Tf, size: ProbeSize = 'small'): LayersModel {
  const spec = PROBE_SIZES[size];
  const model = tf.sequential();
  let height: number = spec.frames;
  let width: number = spec.coeffs;
  spec.filters.forEach((filters, i) => {
    model.add(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape: [spec.frames, spec.coeffs, 1] } : {}),
        filters,
        kernelSize: [3, 3],
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 7 + i }),
      }),
    );
    const pool: [number, number] = size === 'small' ? [1, 2] : [2, 2];
    model.add(tf.layers.maxPooling2d({ poolSize: pool }));
    height /= pool[0];
    width /= pool[1];
  });
  const channels = spec.filters[spec.filters.length - 1] ?? 1;
  model.add(tf.layers.reshape({ targetShape: [height, width * channels] }));
  model.add(
    tf.layers.lstm({ units: spec.lstm, kernelInitializer: tf.initializers.glorotUniform({ seed: 11 }) }),
  );
  model.add(
    tf.layers.dense({
      units: 4,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 13 }),
    }),
  );
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

export function probeBatch(tf: Tf, size: ProbeSize = 'small'): { x: Tensor; y: Tensor } {
  const spec = PROBE_SIZES[size];
  const x = tf.randomNormal([spec.batch, spec.frames, spec.coeffs, 1], 0, 1, 'float32', 1);
  const labels = Array.from({ length: spec.batch }, (_, i) => i % 4);
  return { x, y: tf.oneHot(tf.tensor1d(labels, 'int32'), 4) };
}

export interface ProbeResult {
  losses: number[];
  stepsPerSec: number;
}

/** Trains `steps` batches after `warmup` untimed ones; returns every loss and the timed rate. */
export async function trainProbe(
  tf: Tf,
  { size = 'small', steps = 3, warmup = 1 }: { size?: ProbeSize; steps?: number; warmup?: number } = {},
): Promise<ProbeResult> {
  const model = buildProbeModel(tf, size);
  const { x, y } = probeBatch(tf, size);
  const losses: number[] = [];
  const step = async () => losses.push((await model.trainOnBatch(x, y)) as number);
  for (let i = 0; i < warmup; i++) await step();
  const started = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const seconds = (performance.now() - started) / 1000;
  tf.dispose([x, y]);
  model.dispose();
  return { losses, stepsPerSec: steps / seconds };
}
