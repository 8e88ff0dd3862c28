/** Learning curves from a training artifact's `history.json` (SER: `{ bestEpoch, epochs }`; AE: records per epoch). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CurvePoint } from '../figures/learning-curves-figure.ts';

const NOT_SERIES = new Set(['epoch', 'seconds', 'batches', 'bestEpoch', 'step']);

function recordsOf(doc: unknown): Record<string, unknown>[] | null {
  if (Array.isArray(doc)) return doc as Record<string, unknown>[];
  if (doc && typeof doc === 'object') {
    for (const key of ['epochs', 'history', 'records']) {
      const v = (doc as Record<string, unknown>)[key];
      if (Array.isArray(v)) return v as Record<string, unknown>[];
    }
  }
  return null;
}

/** Points of every numeric series; `null` when the directory has no readable history. */
export async function readHistoryCurves(dir: string, run: string): Promise<CurvePoint[] | null> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(join(dir, 'history.json'), 'utf8'));
  } catch {
    return null;
  }
  const records = recordsOf(doc);
  if (!records || records.length === 0) return null;
  const epochs = records.map((r) => r.epoch);
  // a fine-tuning phase restarts its epoch count: number epochs in order instead
  const monotone = epochs.every(
    (e, i) => typeof e === 'number' && (i === 0 || e > (epochs[i - 1] as number)),
  );
  const points: CurvePoint[] = [];
  records.forEach((r, i) => {
    const epoch = monotone ? (r.epoch as number) : i + 1;
    for (const [series, value] of Object.entries(r)) {
      if (NOT_SERIES.has(series) || typeof value !== 'number' || !Number.isFinite(value)) continue;
      points.push({ run, epoch, series, value });
    }
  });
  return points;
}
