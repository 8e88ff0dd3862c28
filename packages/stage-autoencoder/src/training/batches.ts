import type { Corpus } from './corpus.ts';
import type { Rng } from './rng.ts';

/**
 * Length bucketing. Each epoch the training utterances are shuffled, cut into pools of
 * `poolBatches` batches, each pool is sorted by length and cut into batches, and the batches are
 * shuffled: a batch holds utterances of similar length, so padding to the batch's longest costs
 * little, while batch composition still changes from epoch to epoch.
 */
export function planEpoch(
  indices: Int32Array,
  lengths: Int32Array,
  batchSize: number,
  rng: Rng,
  poolBatches = 32,
): Int32Array[] {
  const order = rng.shuffle(Int32Array.from(indices));
  const pool = batchSize * poolBatches;
  const batches: Int32Array[] = [];
  for (let start = 0; start < order.length; start += pool) {
    const chunk = order.slice(start, start + pool).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
    for (let b = 0; b < chunk.length; b += batchSize) batches.push(chunk.slice(b, b + batchSize));
  }
  return rng.shuffle(batches);
}

/** Held-out batches: sorted by length, fixed. */
export function planEvaluation(indices: Int32Array, lengths: Int32Array, batchSize: number): Int32Array[] {
  const order = Int32Array.from(indices).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const batches: Int32Array[] = [];
  for (let b = 0; b < order.length; b += batchSize) batches.push(order.slice(b, b + batchSize));
  return batches;
}

/** A padded batch: `x` is `[size, frames, numCeps]`, `mask` is 1 on real frames and 0 on padding. */
export interface Batch {
  x: Float32Array;
  mask: Float32Array;
  /** Real frames per utterance (after cropping). */
  lengths: number[];
  size: number;
  frames: number;
  numCeps: number;
}

export interface BatchOptions {
  /** Shorter utterances are zero-padded to this many frames (the paper pads to 100). */
  minFrames: number;
  /** Longer utterances are cropped to a window of this many frames. */
  maxFrames: number;
  /**
   * Padded length is rounded up to a multiple of this (the encoder's time stride), so that
   * 'same'-padded strided convolutions place their windows identically in every batch.
   */
  multiple: number;
  /** Picks the crop window; without it the window starts at frame 0. */
  cropRng?: Rng;
}

/** Reads and pads one batch; memory is this batch only. */
export function assembleBatch(corpus: Corpus, members: Int32Array, options: BatchOptions): Batch {
  const numCeps = corpus.numCeps;
  const lengths = Array.from(members, (i) => Math.min(corpus.frames[i]!, options.maxFrames));
  const longest = Math.max(options.minFrames, ...lengths);
  const frames = Math.ceil(longest / options.multiple) * options.multiple;
  const x = new Float32Array(members.length * frames * numCeps);
  const mask = new Float32Array(members.length * frames);
  members.forEach((utterance, b) => {
    const data = corpus.read(utterance);
    const length = lengths[b]!;
    const slack = corpus.frames[utterance]! - length;
    const start = slack > 0 && options.cropRng ? options.cropRng.int(slack + 1) : 0;
    x.set(data.subarray(start * numCeps, (start + length) * numCeps), b * frames * numCeps);
    mask.fill(1, b * frames, b * frames + length);
  });
  return { x, mask, lengths, size: members.length, frames, numCeps };
}
