/**
 * Peak RSS of autoencoder:pretrain (default parry-cnn) as the corpus grows ×10, with realistic
 * utterance lengths (1–6 s). Both runs take the same number of training steps (×1 for 10 epochs,
 * ×10 for one), so what differs is only the corpus size. Each run is a fresh process.
 *
 *   BENCH_RSS_UTTERANCES=200 npm run bench -- rss
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pretrainPeakRss } from '../test/peak-rss.ts';
import { writeSyntheticStore } from '../test/synthetic-store.ts';

const base = Number(process.env.BENCH_RSS_UTTERANCES ?? 200);
const root = mkdtempSync(join(tmpdir(), 'serx-ae-rss-bench-'));
const params = { batchSize: 32, validationFraction: 0.05, patience: 10, minDelta: 0, samples: 2 };
try {
  const rows: string[] = [];
  // Twice each, interleaved: the spread between repeats is the noise floor.
  for (const [scale, epochs] of [
    [1, 10],
    [10, 1],
    [1, 10],
    [10, 1],
  ] as const) {
    const utterances = base * scale;
    const store = join(root, `x${scale}`);
    if (!existsSync(store))
      await writeSyntheticStore(store, { utterances, dims: 40, minFrames: 100, maxFrames: 600, seed: 1 });
    const storeMiB = (utterances * 350 * 40 * 4) / 2 ** 20;
    const run = pretrainPeakRss(store, { ...params, epochs });
    rows.push(
      `×${scale}: ${utterances} utterances (~${storeMiB.toFixed(0)} MiB of features), ${epochs} epoch(s): ` +
        `peak RSS ${run.peakRssMiB.toFixed(0)} MiB (+${(run.peakRssMiB - run.baselineRssMiB).toFixed(0)} over the loaded backend), ${run.seconds.toFixed(0)} s`,
    );
    console.log(rows.at(-1));
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
