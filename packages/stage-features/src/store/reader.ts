import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, SerxError } from '@serx/core';
import { fromLittleEndian } from './endian.ts';
import {
  FEATURE_STORE_FORMAT,
  type FeatureRow,
  type FeatureStoreMeta,
  INDEX_FILE,
  META_FILE,
  shardFileName,
} from './format.ts';

/** Row filter: a predicate, or field values that must match (an array matches any of its values). */
export type RowFilter =
  | ((row: FeatureRow) => boolean)
  | {
      [field in 'id' | 'corpus' | 'speaker' | 'label' | 'class' | 'split']?:
        | string
        | null
        | readonly (string | null)[];
    };

/** An open feature store: index in memory, features read from the shards on demand. */
export interface FeatureStore {
  readonly dir: string;
  readonly meta: FeatureStoreMeta;
  /** Every row of `index.jsonl`, in write order. */
  readonly rows: readonly FeatureRow[];
  /** The `frames × dims` values of one row (a fresh array, read synchronously from its shard). */
  read(row: FeatureRow): Float32Array;
  /** Rows matching `filter` with their features, one at a time (bounded memory). */
  iterate(filter?: RowFilter): Generator<{ row: FeatureRow; data: Float32Array }>;
  /** Rows matching `filter` without reading features. */
  select(filter?: RowFilter): FeatureRow[];
  /** Closes the shard file handles (reading again reopens them). */
  close(): void;
}

/**
 * Opens a feature store written by {@link FeatureStoreWriter}. Throws INPUT_DATA naming the
 * file (and line) for a missing/incomplete store or a malformed index line.
 *
 * @example
 * ```ts
 * const store = await openFeatureStore(artifact.path);
 * for (const { row, data } of store.iterate({ split: 'train' })) train(data, row.frames, row.class);
 * store.close();
 * ```
 */
export async function openFeatureStore(dir: string): Promise<FeatureStore> {
  const meta = await readMeta(dir);
  const rows = await readIndex(dir, meta);
  const handles = new Map<number, number>();
  const shardSizes = new Map<number, number>();

  const handleFor = (shard: number): number => {
    let fd = handles.get(shard);
    if (fd === undefined) {
      const file = join(dir, shardFileName(shard));
      try {
        fd = openSync(file, 'r');
      } catch (cause) {
        throw new SerxError(ErrorCodes.INPUT_DATA, `feature store shard ${file} cannot be opened`, { cause });
      }
      handles.set(shard, fd);
      shardSizes.set(shard, fstatSync(fd).size);
    }
    return fd;
  };

  const read = (row: FeatureRow): Float32Array => {
    const fd = handleFor(row.shard);
    const out = new Float32Array(row.frames * meta.dims);
    const bytes = new Uint8Array(out.buffer);
    const position = row.offset * 4;
    if (position + bytes.byteLength > shardSizes.get(row.shard)!) {
      throw new SerxError(
        ErrorCodes.INPUT_DATA,
        `${join(dir, shardFileName(row.shard))}: row '${row.id}' extends past the end of the shard (truncated store?)`,
      );
    }
    let done = 0;
    while (done < bytes.byteLength) {
      const n = readSync(fd, bytes, done, bytes.byteLength - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return fromLittleEndian(bytes, out);
  };

  const select = (filter?: RowFilter): FeatureRow[] => rows.filter(toPredicate(filter));

  return {
    dir,
    meta,
    rows,
    read,
    select,
    *iterate(filter) {
      for (const row of select(filter)) yield { row, data: read(row) };
    },
    close() {
      for (const fd of handles.values()) closeSync(fd);
      handles.clear();
    },
  };
}

function toPredicate(filter: RowFilter | undefined): (row: FeatureRow) => boolean {
  if (!filter) return () => true;
  if (typeof filter === 'function') return filter;
  const entries = Object.entries(filter).filter(([, value]) => value !== undefined);
  return (row) =>
    entries.every(([field, wanted]) => {
      const value = (row as Record<string, unknown>)[field] ?? null;
      return Array.isArray(wanted) ? wanted.includes(value) : value === wanted;
    });
}

async function readMeta(dir: string): Promise<FeatureStoreMeta> {
  const file = join(dir, META_FILE);
  let meta: FeatureStoreMeta;
  try {
    meta = JSON.parse(await readFile(file, 'utf8')) as FeatureStoreMeta;
  } catch (cause) {
    throw new SerxError(
      ErrorCodes.INPUT_DATA,
      `${file}: not a feature store (missing or unreadable meta.json)`,
      {
        cause,
      },
    );
  }
  if (meta.format !== FEATURE_STORE_FORMAT || meta.dtype !== 'float32' || !(meta.dims >= 1)) {
    throw new SerxError(
      ErrorCodes.INPUT_DATA,
      `${file}: expected format '${FEATURE_STORE_FORMAT}' with dtype float32, got format '${meta.format}'`,
    );
  }
  return meta;
}

async function readIndex(dir: string, meta: FeatureStoreMeta): Promise<FeatureRow[]> {
  const file = join(dir, INDEX_FILE);
  const text = await readFile(file, 'utf8');
  const rows: FeatureRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    let row: FeatureRow;
    try {
      row = JSON.parse(line) as FeatureRow;
    } catch (cause) {
      throw new SerxError(ErrorCodes.INPUT_DATA, `${file}:${i + 1}: malformed JSON line`, { cause });
    }
    if (
      typeof row.id !== 'string' ||
      !Number.isInteger(row.frames) ||
      !Number.isInteger(row.shard) ||
      !Number.isInteger(row.offset)
    ) {
      throw new SerxError(
        ErrorCodes.INPUT_DATA,
        `${file}:${i + 1}: row needs string id and integer frames, shard, offset`,
      );
    }
    rows.push(row);
  }
  if (rows.length !== meta.count) {
    throw new SerxError(
      ErrorCodes.INPUT_DATA,
      `${file}: ${rows.length} rows but meta.json says ${meta.count}`,
    );
  }
  return rows;
}
