import type { PaddedBatch } from './batching.ts';

/** SpecAugment-style masking (Park et al. 2019, without time warping), or `false` for none. */
export type SpecAugmentSettings =
  | false
  | {
      /** Time masks per utterance. */
      timeMasks: number;
      /** Each time mask covers a width drawn uniformly from [0, timeMaskWidth] frames. */
      timeMaskWidth: number;
      /** Frequency (cepstral coefficient) masks per utterance. */
      freqMasks: number;
      /** Each frequency mask covers a width drawn uniformly from [0, freqMaskWidth] coefficients. */
      freqMaskWidth: number;
    };

/**
 * Masks, in place, random time spans and coefficient bands of each utterance of a training batch,
 * within its real frames only (padding stays zero). Masked values become 0, the mean of
 * z-normalised features. Draws come from `random` in a fixed order, so a seeded stream per epoch
 * gives the same masks on every run and after a resume.
 */
export function specAugment(batch: PaddedBatch, settings: SpecAugmentSettings, random: () => number): void {
  if (!settings) return;
  const { frames, numCeps, x } = batch;
  for (let b = 0; b < batch.size; b++) {
    const length = batch.lengths[b] as number;
    const base = b * frames * numCeps;
    for (let m = 0; m < settings.timeMasks; m++) {
      const width = Math.min(length, Math.floor(random() * (settings.timeMaskWidth + 1)));
      const start = Math.floor(random() * (length - width + 1));
      x.fill(0, base + start * numCeps, base + (start + width) * numCeps);
    }
    for (let m = 0; m < settings.freqMasks; m++) {
      const width = Math.min(numCeps, Math.floor(random() * (settings.freqMaskWidth + 1)));
      const start = Math.floor(random() * (numCeps - width + 1));
      if (width === 0) continue;
      for (let t = 0; t < length; t++)
        x.fill(0, base + t * numCeps + start, base + t * numCeps + start + width);
    }
  }
}
