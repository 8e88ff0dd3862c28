/** Writes a small predictions store with FeatureStoreWriter (test fixtures, benches). */
import type { Json } from '@serx/core';
import { FeatureStoreWriter } from '@serx/stage-features';

export interface FixtureRow {
  id: string;
  corpus: string;
  speaker?: string;
  label?: string | null;
  class: string | null;
  split: string | null;
  pred: string;
  probs?: number[];
  embedding?: number[];
}

export async function writePredictionsFixture(
  dir: string,
  rows: FixtureRow[],
  meta: { [key: string]: Json } = {},
): Promise<void> {
  const dims = rows[0]?.embedding?.length ?? 1;
  const writer = await FeatureStoreWriter.create(dir, { dims, meta: { kind: 'predictions', ...meta } });
  for (const { embedding, ...row } of rows) {
    await writer.append(
      { speaker: 's0', label: row.class, ...row },
      Float32Array.from(embedding ?? new Array(dims).fill(0)),
    );
  }
  await writer.close();
}
