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
  /** The flattened frames × dims values of one row. */
  read(row: PredictionRow): Float32Array;
  close(): void;
}

const REQUIRED = ['corpus', 'class', 'split', 'pred'] as const;

export async function readPredictionsStore(dir: string): Promise<PredictionsStore> {
  const store = await openFeatureStore(dir);
  const file = join(dir, INDEX_FILE);
  store.rows.forEach((row, i) => {
    for (const key of REQUIRED) {
      if (typeof row[key] !== 'string') {
        store.close();
        throw new SerxError(
          ErrorCodes.INPUT_DATA,
          `predictions row '${row.id}' lacks string field '${key}' (a labelled, split, predicted utterance is needed)`,
          {
            loc: { file, line: i + 1, col: 1 },
          },
        );
      }
    }
  });
  return {
    dir,
    meta: store.meta as unknown as { [key: string]: Json },
    dims: store.meta.dims,
    rows: store.rows as PredictionRow[],
    read: (row) => store.read(row),
    close: () => store.close(),
  };
}

/** The embeddings of `rows`, one flattened vector each. */
export function readEmbeddings(store: PredictionsStore, rows: readonly PredictionRow[]): Float32Array[] {
  return rows.map((row) => store.read(row));
}
