import { type PaddedBatch, padBatch } from '@serx/training';
import type { Corpus } from './corpus.ts';

/** A padded batch with `mask` (`[size, frames]`): 1 on real frames, 0 on padding. */
export interface Batch extends PaddedBatch {
  mask: Float32Array;
}

export interface BatchOptions {
  /** Shorter utterances are zero-padded to this many frames (the paper pads to 100). */
  minFrames: number;
  /** Longer utterances are cropped to a window of this many frames. */
  maxFrames: number;
  /** Padded length is rounded up to a multiple of this (a multiple of the encoder's time stride). */
  padMultiple: number;
  /** Picks the crop window; without it the window starts at frame 0. */
  cropRandom?: () => number;
}

/** Reads and pads the utterances `members` of the corpus (the kit's `padBatch`) and masks the padding. */
export function assembleBatch(corpus: Corpus, members: ArrayLike<number>, options: BatchOptions): Batch {
  const padded = padBatch(
    members.length,
    (b) => corpus.frames[members[b] as number] as number,
    (b) => corpus.read(members[b] as number),
    {
      numCeps: corpus.numCeps,
      minFrames: options.minFrames,
      maxFrames: options.maxFrames,
      padMultiple: options.padMultiple,
      ...(options.cropRandom ? { cropRandom: options.cropRandom } : {}),
    },
  );
  const mask = new Float32Array(padded.size * padded.frames);
  padded.lengths.forEach((length, b) => {
    mask.fill(1, b * padded.frames, b * padded.frames + length);
  });
  return { ...padded, mask };
}
