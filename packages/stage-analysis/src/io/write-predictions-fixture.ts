/** Writes a small predictions store in the documented format (test fixtures, benches). */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Json } from '@serx/core';
import type { PredictionRow } from './predictions-store.ts';

export interface FixtureRow extends Omit<PredictionRow, 'shard' | 'offset' | 'frames'> {
  embedding?: number[];
}

export async function writePredictionsFixture(dir: string, rows: FixtureRow[], meta: { [key: string]: Json } = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  const dims = rows[0]?.embedding?.length ?? 0;
  const data = new Float32Array(rows.length * dims);
  const lines = rows.map((row, i) => {
    const { embedding, ...rest } = row;
    if (embedding) data.set(embedding, i * dims);
    return JSON.stringify({ ...rest, frames: 1, shard: 0, offset: i * dims });
  });
  await writeFile(join(dir, 'meta.json'), JSON.stringify({ format: 'serx-features/1', dims, dtype: 'float32', ...meta }));
  await writeFile(join(dir, 'index.jsonl'), `${lines.join('\n')}\n`);
  await writeFile(join(dir, 'shard-00000.f32'), Buffer.from(data.buffer));
}
