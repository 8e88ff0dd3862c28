import { shuffleInPlace } from '@serx/core';

/**
 * Length bucketing, the one batching scheme of autoencoder pretraining and SER training. Each epoch
 * the indices are shuffled, cut into pools of `poolBatches` batches, each pool is sorted by length
 * and cut into batches, and the batches are shuffled: a batch holds utterances of similar length, so
 * padding to its longest costs little, while batch composition still changes from epoch to epoch.
 */
export function planEpoch(
  indices: ArrayLike<number>,
  lengths: ArrayLike<number>,
  batchSize: number,
  random: () => number,
  poolBatches = 32,
): number[][] {
  const order = shuffleInPlace(Array.from(indices), random);
  const pool = batchSize * poolBatches;
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += pool) {
    const chunk = order
      .slice(start, start + pool)
      .sort((a, b) => (lengths[a] as number) - (lengths[b] as number) || a - b);
    for (let b = 0; b < chunk.length; b += batchSize) batches.push(chunk.slice(b, b + batchSize));
  }
  return shuffleInPlace(batches, random);
}

/** Evaluation batches: sorted by length, the same every time. */
export function planEvaluation(
  indices: ArrayLike<number>,
  lengths: ArrayLike<number>,
  batchSize: number,
): number[][] {
  const order = Array.from(indices).sort((a, b) => (lengths[a] as number) - (lengths[b] as number) || a - b);
  const batches: number[][] = [];
  for (let b = 0; b < order.length; b += batchSize) batches.push(order.slice(b, b + batchSize));
  return batches;
}

export interface PadOptions {
  numCeps: number;
  /** Shorter utterances are zero-padded to this many frames (the paper pads to 100). */
  minFrames: number;
  /** Longer utterances are cropped to a window of this many frames. */
  maxFrames: number;
  /**
   * The padded length is rounded up to a multiple of this (itself a multiple of the encoder's time
   * stride): then a strided 'same' convolution pads every batch the same way at the start, so an
   * utterance's outputs do not depend on its batch-mates' lengths; and few distinct batch shapes
   * keep native memory bounded (oneDNN caches kernels per shape).
   */
  padMultiple: number;
  /** Picks each crop window; without it a window starts at frame 0. */
  cropRandom?: () => number;
}

/** A zero-padded batch: `x` is `[size, frames, numCeps]` row-major. */
export interface PaddedBatch {
  x: Float32Array;
  /** Real frames per utterance (after cropping). */
  lengths: Float32Array;
  size: number;
  frames: number;
  numCeps: number;
}

/**
 * Reads and pads one batch: utterance `b` has `framesOf(b)` frames and `read(b)` returns its
 * `frames × numCeps` values. Memory is this batch only.
 */
export function padBatch(
  size: number,
  framesOf: (b: number) => number,
  read: (b: number) => Float32Array,
  options: PadOptions,
): PaddedBatch {
  const { numCeps } = options;
  const lengths = Float32Array.from({ length: size }, (_, b) => Math.min(framesOf(b), options.maxFrames));
  const longest = Math.max(options.minFrames, ...lengths);
  const frames = Math.ceil(longest / options.padMultiple) * options.padMultiple;
  const x = new Float32Array(size * frames * numCeps);
  for (let b = 0; b < size; b++) {
    const length = lengths[b] as number;
    const slack = framesOf(b) - length;
    const start = slack > 0 && options.cropRandom ? Math.floor(options.cropRandom() * (slack + 1)) : 0;
    x.set(read(b).subarray(start * numCeps, (start + length) * numCeps), b * frames * numCeps);
  }
  return { x, lengths, size, frames, numCeps };
}

/** Least common multiple: a batch-length multiple from the time stride and a pad multiple. */
export function lcm(a: number, b: number): number {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  return (a / gcd(a, b)) * b;
}
