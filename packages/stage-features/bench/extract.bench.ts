/**
 * Cold feature extraction (decode + resample + MFCC + normalisation + padding + feature-store
 * write) of every labelled corpus in the shared corpora, through the same worker pool the
 * `features:mfcc` stage uses. Target: ≤ 60 s on 2 cores.
 *
 *   node --import @serx/core/typescript/import packages/stage-features/bench/extract.bench.ts [--threads 2] [--corpora emodb,tess] [--probe]
 *
 * `--probe` also times `features:ingest`'s probe pass (decode at the source rate, no MFCC).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getCorpusReader, registerBuiltinReaders } from '../src/corpora/index.ts';
import { resolveMfccOptions } from '../src/mfcc/index.ts';
import { FeatureStoreWriter } from '../src/store/index.ts';
import { type ExtractResult, extractionPool } from '../src/workers/index.ts';

registerBuiltinReaders();

const LABELLED = ['emodb', 'emovo', 'savee', 'ravdess', 'tess'];
const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    corpora: { type: 'string', default: LABELLED.join(',') },
    root: { type: 'string', default: process.env.SERX_CORPORA ?? '/work/shared/corpora' },
    probe: { type: 'boolean', default: false },
  },
});
const threads = Number(values.threads);
const mfcc = resolveMfccOptions();
const out = await mkdtemp(join(tmpdir(), 'serx-bench-extract-'));
const pool = extractionPool(threads);
const rows: { corpus: string; files: number; audioSec: number; seconds: number }[] = [];
const load = loadavg()[0]!;
const started = performance.now();
try {
  // Warm-up: start the workers (TypeScript loader + wasm compile) outside the timed region of the first corpus.
  await Promise.all(
    Array.from({ length: threads }, () => pool.probe({ path: join(values.root, 'emodb/wav/03a01Fa.flac') })),
  );
  const timed = performance.now();
  const cpu0 = process.cpuUsage();
  for (const corpus of values.corpora.split(',')) {
    const t0 = performance.now();
    const { utterances } = await getCorpusReader(corpus).read(join(values.root, corpus), corpus, {});
    const writer = await FeatureStoreWriter.create(join(out, corpus), {
      dims: mfcc.numCeps,
      sampleRate: mfcc.sampleRate,
    });
    const window = threads * 4;
    const pending = new Map<number, Promise<ExtractResult>>();
    let next = 0;
    let audioSec = 0;
    for (let i = 0; i < utterances.length; i++) {
      for (; next < utterances.length && next < i + window; next++) {
        pending.set(
          next,
          pool.extract({ path: utterances[next]!.path, mfcc, normalise: true, minFrames: 100, pad: 'zero' }),
        );
      }
      const result = await pending.get(i)!;
      pending.delete(i);
      if (!result.ok) throw new Error(result.message);
      const u = utterances[i]!;
      audioSec += result.duration;
      await writer.append(
        { id: u.id, corpus, speaker: u.speaker, label: u.label, class: null, split: null },
        result.data,
      );
    }
    await writer.close();
    rows.push({ corpus, files: utterances.length, audioSec, seconds: (performance.now() - t0) / 1000 });
  }
  const total = (performance.now() - timed) / 1000;
  // Worker threads share the process, so this is the CPU time of the whole extraction.
  const cpu = process.cpuUsage(cpu0);
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  const files = rows.reduce((s, r) => s + r.files, 0);
  const audio = rows.reduce((s, r) => s + r.audioSec, 0);
  console.log(`cold extraction, ${threads} worker threads, load average at start ${load.toFixed(2)}`);
  console.log('corpus     files   audio (min)   time (s)   x real time');
  for (const r of rows) {
    console.log(
      `${r.corpus.padEnd(9)} ${String(r.files).padStart(6)} ${(r.audioSec / 60).toFixed(1).padStart(12)} ${r.seconds.toFixed(1).padStart(10)} ${(r.audioSec / r.seconds).toFixed(0).padStart(13)}`,
    );
  }
  console.log(
    `${'total'.padEnd(9)} ${String(files).padStart(6)} ${(audio / 60).toFixed(1).padStart(12)} ${total.toFixed(1).padStart(10)} ${(audio / total).toFixed(0).padStart(13)}`,
  );
  console.log(
    `CPU time ${cpuSec.toFixed(1)} s (${(audio / cpuSec).toFixed(0)}x real time per core); on ${threads} idle cores ≈ ${(cpuSec / threads).toFixed(1)} s wall`,
  );
  console.log(
    `worker start-up (excluded above): ${((timed - started) / 1000).toFixed(1)} s; target ≤ 60 s: ${total <= 60 ? 'met' : 'NOT met'}`,
  );
  if (values.probe) {
    const p0 = performance.now();
    const c0 = process.cpuUsage();
    for (const corpus of values.corpora.split(',')) {
      const { utterances } = await getCorpusReader(corpus).read(join(values.root, corpus), corpus, {});
      await Promise.all(utterances.map((u) => pool.probe({ path: u.path })));
    }
    const c = process.cpuUsage(c0);
    const probeCpu = (c.user + c.system) / 1e6;
    console.log(
      `ingest probe pass: ${((performance.now() - p0) / 1000).toFixed(1)} s wall, ${probeCpu.toFixed(1)} s CPU (${((100 * probeCpu) / cpuSec).toFixed(0)}% of extraction)`,
    );
  }
} finally {
  await pool.close();
  await rm(out, { recursive: true, force: true });
}
