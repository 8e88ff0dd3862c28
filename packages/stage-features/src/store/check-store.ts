/**
 * What is wrong with a directory claimed to be a feature store, or undefined: the check behind the
 * `features` artifact type (a command stage's output declared `features` must pass it).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isSerxError } from '@serx/core';
import { INDEX_FILE, META_FILE, shardFileName } from './format.ts';
import { type FeatureStore, openFeatureStore } from './reader.ts';

function rowProblem(row: FeatureStore['rows'][number], line: number): string | undefined {
  for (const field of ['corpus', 'speaker'] as const)
    if (typeof row[field] !== 'string')
      return `${INDEX_FILE}:${line}: row '${row.id}' lacks string field '${field}'`;
  for (const field of ['label', 'class', 'split'] as const)
    if (row[field] !== null && typeof row[field] !== 'string')
      return `${INDEX_FILE}:${line}: row '${row.id}' field '${field}' must be a string or null`;
  if (row.frames < 1) return `${INDEX_FILE}:${line}: row '${row.id}' has ${row.frames} frames`;
  return undefined;
}

/** Opens the store (meta.json, index.jsonl) and checks every row's fields and extent in its shard. */
export async function featureStoreProblem(dir: string): Promise<string | undefined> {
  let store: FeatureStore;
  try {
    store = await openFeatureStore(dir);
  } catch (error) {
    if (isSerxError(error)) return error.message;
    return `${join(dir, META_FILE)} or ${INDEX_FILE} cannot be read: ${(error as Error).message}`;
  }
  try {
    const extent = new Map<number, number>();
    let frames = 0;
    for (const [i, row] of store.rows.entries()) {
      const problem = rowProblem(row, i + 1);
      if (problem) return problem;
      frames += row.frames;
      const end = (row.offset + row.frames * store.meta.dims) * 4;
      extent.set(row.shard, Math.max(extent.get(row.shard) ?? 0, end));
    }
    if (frames !== store.meta.frames)
      return `${META_FILE} says ${store.meta.frames} frames, the rows hold ${frames}`;
    for (const [shard, end] of extent) {
      const file = shardFileName(shard);
      const size = (await stat(join(dir, file)).catch(() => undefined))?.size;
      if (size === undefined) return `${file} is missing`;
      if (size < end) return `${file} has ${size} bytes, its rows need ${end} (truncated?)`;
    }
    return undefined;
  } finally {
    store.close();
  }
}
