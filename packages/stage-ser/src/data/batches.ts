import type { FeatureRow, FeatureStore } from '@serx/stage-features';
import { type PaddedBatch, type PadOptions, padBatch } from '@serx/training';

/** One utterance to train on or predict: where its features are and its class index (-1: none). */
export interface Example {
  store: FeatureStore;
  row: FeatureRow;
  label: number;
}

/** A zero-padded batch (the kit's) with the members' labels. */
export interface Batch extends PaddedBatch {
  labels: Int32Array;
  members: number[];
}

export type BatchOptions = PadOptions;

/** Reads and pads the examples `members` (the kit's `padBatch`); memory is this batch only. */
export function assembleBatch(examples: readonly Example[], members: number[], options: BatchOptions): Batch {
  const picked = members.map((i) => examples[i] as Example);
  const padded = padBatch(
    picked.length,
    (b) => (picked[b] as Example).row.frames,
    (b) => (picked[b] as Example).store.read((picked[b] as Example).row),
    options,
  );
  return { ...padded, labels: Int32Array.from(picked, (e) => e.label), members };
}
