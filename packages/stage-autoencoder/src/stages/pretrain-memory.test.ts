import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { pretrainPeakRss } from '../../test/peak-rss.ts';
import { writeSyntheticStore } from '../../test/synthetic-store.ts';

const root = mkdtempSync(join(tmpdir(), 'serx-ae-rss-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Long utterances and a tiny model: the store dominates what a non-streaming reader would hold
// (×1 ≈ 8 MiB, ×10 ≈ 76 MiB of float32), while training stays cheap. One utterance length, so
// both runs see the same few tensor shapes: native memory also grows with the number of distinct
// batch shapes (oneDNN caches kernels per shape), which `padMultiple` bounds independently of
// corpus size; bench/rss.bench.ts measures that with realistic lengths.
const params = {
  structureParams: { conv: [{ filters: 2, kernelSize: [3, 3], strides: [2, 2] }], units: 4 },
  batchSize: 16,
  validationFraction: 0.1,
  maxFrames: 500,
  samples: 1,
  patience: 10,
  minDelta: 0,
};

it('keeps peak RSS flat when the corpus grows ×10 (features are streamed)', async () => {
  // Same number of training steps in both runs (×1 for 10 epochs, ×10 for 1): the native
  // allocators keep growing slowly with the step count, and that must not pass for corpus size.
  const runs = [
    { utterances: 100, epochs: 10 },
    { utterances: 1000, epochs: 1 },
  ];
  const sizes = runs.map((r) => r.utterances);
  const peaks: number[] = [];
  const growth: number[] = [];
  for (const { utterances, epochs } of runs) {
    const store = join(root, `store-${utterances}`);
    await writeSyntheticStore(store, { utterances, dims: 40, minFrames: 500, maxFrames: 500, seed: 1 });
    const run = pretrainPeakRss(store, { ...params, epochs });
    peaks.push(run.peakRssMiB);
    growth.push(run.peakRssMiB - run.baselineRssMiB);
  }
  const storeGrowthMiB = ((sizes[1]! - sizes[0]!) * 500 * 40 * 4) / 2 ** 20;
  expect(storeGrowthMiB).toBeGreaterThan(50);
  // Loading the corpus would add ≥ 50 MiB; streaming adds only the index (a few hundred bytes a row).
  console.log(
    `peak RSS ×1 ${peaks[0]!.toFixed(0)} MiB (+${growth[0]!.toFixed(0)} over the loaded backend), ×10 ${peaks[1]!.toFixed(0)} MiB (+${growth[1]!.toFixed(0)}); store grew ${storeGrowthMiB.toFixed(0)} MiB`,
  );
  expect(growth[1]! - growth[0]!).toBeLessThan(12);
}, 240_000);
