/**
 * The serx feature store (artifact types `features` and `predictions`), see docs/stages.md.
 *
 * A directory with `meta.json`, `index.jsonl` (one {@link FeatureRow} per utterance, in write
 * order) and `shard-NNNNN.f32` files of little-endian float32; each utterance is `frames × dims`
 * row-major at `offset` float32 elements into shard number `shard`.
 */

export const FEATURE_STORE_FORMAT = 'serx-features/1';
export const META_FILE = 'meta.json';
export const INDEX_FILE = 'index.jsonl';
/** Shards roll over once they would grow past this many bytes. */
export const DEFAULT_SHARD_BYTES = 64 * 1024 * 1024;

export function shardFileName(shard: number): string {
  return `shard-${String(shard).padStart(5, '0')}.f32`;
}

/** `meta.json`: format header plus whatever the producer adds (MFCC options, counts...). */
export interface FeatureStoreMeta {
  format: typeof FEATURE_STORE_FORMAT;
  /** Values per frame (40 MFCCs, or the embedding size for predictions). */
  dims: number;
  dtype: 'float32';
  sampleRate?: number;
  /** Number of rows in `index.jsonl`. */
  count: number;
  /** Total frames over all rows. */
  frames: number;
  shards: number;
  [key: string]: unknown;
}

/** What a producer gives for one utterance; the writer adds `frames`, `shard` and `offset`. */
export interface FeatureRowInput {
  id: string;
  corpus: string;
  speaker: string;
  gender?: 'female' | 'male';
  /** The corpus's own emotion label (`null` for unlabelled speech). */
  label: string | null;
  /** Mapped class (`positive`/`negative`/`neutral` by default), `null` when unmapped/unlabelled. */
  class: string | null;
  /** `train` / `validation` / `test`, `null` when the data was never split. */
  split: string | null;
  /** Extra per-row fields (predictions add `probs`, `pred`). */
  [key: string]: unknown;
}

/** One line of `index.jsonl`. */
export interface FeatureRow extends FeatureRowInput {
  frames: number;
  shard: number;
  /** In float32 elements from the start of the shard. */
  offset: number;
}
