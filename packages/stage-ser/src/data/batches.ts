import { shuffleInPlace } from '@serx/core';
import type { FeatureRow, FeatureStore } from '@serx/stage-features';

/** One utterance to train on or predict: where its features are and its class index (-1: none). */
export interface Example {
  store: FeatureStore;
  row: FeatureRow;
  label: number;
}

/**
 * Length bucketing (the same scheme as the autoencoder's pretraining): each epoch the examples are
 * shuffled, cut into pools of `poolBatches` batches, each pool is sorted by length and cut into
 * batches, and the batches are shuffled. A batch holds utterances of similar length, so padding to
 * its longest costs little, while batch composition still changes between epochs.
 */
export function planEpoch(
  lengths: readonly number[],
  batchSize: number,
  rng: () => number,
  poolBatches = 32,
): number[][] {
  const order = shuffleInPlace(
    lengths.map((_, i) => i),
    rng,
  );
  const pool = batchSize * poolBatches;
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += pool) {
    const chunk = order
      .slice(start, start + pool)
      .sort((a, b) => (lengths[a] as number) - (lengths[b] as number) || a - b);
    for (let b = 0; b < chunk.length; b += batchSize) batches.push(chunk.slice(b, b + batchSize));
  }
  return shuffleInPlace(batches, rng);
}

/** Evaluation batches: sorted by length, fixed. */
export function planEvaluation(lengths: readonly number[], batchSize: number): number[][] {
  const order = lengths
    .map((_, i) => i)
    .sort((a, b) => (lengths[a] as number) - (lengths[b] as number) || a - b);
  const batches: number[][] = [];
  for (let b = 0; b < order.length; b += batchSize) batches.push(order.slice(b, b + batchSize));
  return batches;
}

/** A zero-padded batch: `x` is `[size, frames, numCeps]` row-major. */
export interface Batch {
  x: Float32Array;
  /** Real (unpadded, after cropping) frames per utterance. */
  lengths: Float32Array;
  labels: Int32Array;
  members: number[];
  size: number;
  frames: number;
}

export interface BatchOptions {
  numCeps: number;
  /** Shorter utterances are zero-padded to this many frames (the paper pads to 100). */
  minFrames: number;
  /** Longer utterances are cropped to this many frames. */
  maxFrames: number;
  /**
   * Batch length is rounded up to a multiple of this, itself a multiple of the encoder's time
   * stride: then a strided 'same' convolution pads every batch the same way at the start, so an
   * utterance's outputs do not depend on how long its batch-mates are; and few distinct batch
   * shapes keep native memory bounded (oneDNN caches kernels per shape).
   */
  multipleOf: number;
  /** Picks the crop window; without it the window starts at frame 0. */
  cropRng?: () => number;
}

/** Reads and pads one batch; memory is this batch only. */
/** Least common multiple: the batch-length multiple from the time stride and a pad multiple. */
export function lcm(a: number, b: number): number {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  return (a / gcd(a, b)) * b;
}

export function assembleBatch(examples: readonly Example[], members: number[], options: BatchOptions): Batch {
  const { numCeps } = options;
  const picked = members.map((i) => examples[i] as Example);
  const lengths = Float32Array.from(picked, (e) => Math.min(e.row.frames, options.maxFrames));
  const longest = Math.max(options.minFrames, ...lengths);
  const frames = Math.ceil(longest / options.multipleOf) * options.multipleOf;
  const x = new Float32Array(picked.length * frames * numCeps);
  picked.forEach((example, b) => {
    const data = example.store.read(example.row);
    const length = lengths[b] as number;
    const slack = example.row.frames - length;
    const start = slack > 0 && options.cropRng ? Math.floor(options.cropRng() * (slack + 1)) : 0;
    x.set(data.subarray(start * numCeps, (start + length) * numCeps), b * frames * numCeps);
  });
  return {
    x,
    lengths,
    labels: Int32Array.from(picked, (e) => e.label),
    members,
    size: picked.length,
    frames,
  };
}
