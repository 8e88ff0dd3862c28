/**
 * A `predictions` artifact (feature-store format, docs/stages.md) opened with
 * `openFeatureStore` from @serx/stage-features, its rows checked for the fields the analysis
 * needs (`class`, `pred`, `corpus`, `split`); embeddings (frames = 1, dims = embedding size) are
 * read from the shards on demand.
 */
import { join } from 'node:path';
import { ErrorCodes, type Json, SerxError } from '@serx/core';
import { type FeatureRow, INDEX_FILE, openFeatureStore } from '@serx/stage-features';

export interface PredictionRow extends FeatureRow {
  corpus: string;
  class: string;
  split: string;
  pred: string;
  probs?: number[];
}

export interface PredictionsStore {
  dir: string;
  meta: { [key: string]: Json };
  dims: number;
  rows: PredictionRow[];
  /** Rows without a class, left out. */
  unlabelled: number;
  /** The flattened frames × dims values of one row. */
  read(row: PredictionRow): Float32Array;
  close(): void;
}

const REQUIRED = ['corpus', 'pred'] as const;

/** Split name given to rows of a never-split corpus (`split: null`, e.g. a held-out corpus predicted whole). */
export const NO_SPLIT = 'none';

/**
 * Opens a predictions store. Rows must carry `corpus` and `pred`; rows without a class
 * (unlabelled speech) are left out and counted in `unlabelled`; `split: null` becomes `none`.
 */
export async function readPredictionsStore(dir: string): Promise<PredictionsStore> {
  const store = await openFeatureStore(dir);
  const file = join(dir, INDEX_FILE);
  const rows: PredictionRow[] = [];
  let unlabelled = 0;
  store.rows.forEach((row, i) => {
    for (const key of REQUIRED) {
      if (typeof row[key] !== 'string') {
        store.close();
        throw new SerxError(
          ErrorCodes.INPUT_DATA,
          `predictions row '${row.id}' lacks string field '${key}'`,
          {
            loc: { file, line: i + 1, col: 1 },
          },
        );
      }
    }
    if (typeof row.class !== 'string') unlabelled++;
    else rows.push({ ...row, split: row.split ?? NO_SPLIT } as PredictionRow);
  });
  return {
    dir,
    meta: store.meta as unknown as { [key: string]: Json },
    dims: store.meta.dims,
    rows,
    unlabelled,
    read: (row) => store.read(row),
    close: () => store.close(),
  };
}

/** The embeddings of `rows`, one flattened vector each. */
export function readEmbeddings(store: PredictionsStore, rows: readonly PredictionRow[]): Float32Array[] {
  return rows.map((row) => store.read(row));
}
