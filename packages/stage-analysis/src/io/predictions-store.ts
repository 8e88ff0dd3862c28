/**
 * Reads a `predictions` artifact (feature-store format, docs/stages.md): `meta.json`,
 * `index.jsonl` rows with `probs` and `pred`, and float32 shards holding each utterance's
 * last-hidden-layer embedding (frames = 1, dims = embedding size).
 */
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ErrorCodes, type Json, SerxError } from '@serx/core';

export interface PredictionRow {
  id: string;
  corpus: string;
  speaker?: string;
  label?: string;
  class: string;
  split: string;
  frames: number;
  shard: number | string;
  offset: number;
  probs?: number[];
  pred: string;
}

export interface PredictionsStore {
  dir: string;
  meta: { [key: string]: Json };
  dims: number;
  rows: PredictionRow[];
}

function bad(file: string, line: number, message: string): SerxError {
  return new SerxError(ErrorCodes.INPUT_DATA, message, { loc: { file, line, col: 1 } });
}

const REQUIRED: [keyof PredictionRow, string][] = [
  ['id', 'string'],
  ['corpus', 'string'],
  ['class', 'string'],
  ['split', 'string'],
  ['pred', 'string'],
  ['offset', 'number'],
];

/** Loads the index rows of a predictions store (one small object per utterance; shards stay on disk). */
export async function readPredictionsStore(dir: string): Promise<PredictionsStore> {
  const metaFile = join(dir, 'meta.json');
  let meta: { [key: string]: Json };
  try {
    meta = JSON.parse(await readFile(metaFile, 'utf8'));
  } catch (cause) {
    throw new SerxError(ErrorCodes.INPUT_DATA, `cannot read predictions meta: ${(cause as Error).message}`, {
      loc: { file: metaFile, line: 1, col: 1 },
      cause,
    });
  }
  const dims = typeof meta.dims === 'number' ? meta.dims : 0;
  const indexFile = join(dir, 'index.jsonl');
  const rows: PredictionRow[] = [];
  const lines = createInterface({ input: createReadStream(indexFile), crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    let row: PredictionRow;
    try {
      row = JSON.parse(line);
    } catch {
      throw bad(indexFile, lineNo, 'malformed JSON in predictions index');
    }
    for (const [key, type] of REQUIRED) {
      if (typeof row[key] !== type) throw bad(indexFile, lineNo, `predictions row lacks ${type} field '${key}'`);
    }
    rows.push(row);
  }
  return { dir, meta, dims, rows };
}

function shardFile(dir: string, shard: number | string): string {
  return join(dir, typeof shard === 'number' ? `shard-${String(shard).padStart(5, '0')}.f32` : shard);
}

/** Reads the embeddings (frames × dims each, flattened per row) of `rows` into one matrix, n × (frames·dims). */
export async function readEmbeddings(store: PredictionsStore, rows: readonly PredictionRow[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  const handles = new Map<string, Awaited<ReturnType<typeof open>>>();
  try {
    for (const row of rows) {
      const file = shardFile(store.dir, row.shard);
      let handle = handles.get(file);
      if (!handle) {
        handle = await open(file, 'r');
        handles.set(file, handle);
      }
      const length = (row.frames || 1) * store.dims;
      const buf = Buffer.alloc(length * 4);
      const { bytesRead } = await handle.read(buf, 0, buf.length, row.offset * 4);
      if (bytesRead !== buf.length) {
        throw new SerxError(ErrorCodes.INPUT_DATA, `embedding of '${row.id}' runs past the end of ${file}`, {
          loc: { file, line: 1, col: 1 },
        });
      }
      const vec = new Float32Array(length);
      for (let i = 0; i < length; i++) vec[i] = buf.readFloatLE(i * 4);
      out.push(vec);
    }
  } finally {
    for (const h of handles.values()) await h.close();
  }
  return out;
}
