/**
 * openSMILE extraction speed per core: serx (decode + resample + 16-bit PCM + libSMILEapi through the
 * addon, what each feature worker does per file) against opensmile-python's `Smile.process_file`
 * (the same library, in the reference venv) on the same files, one thread each, interleaved
 * round by round (the order alternating) so that both see the same machine load. Reports real time
 * per core (seconds of audio per second of processing) and their ratio.
 *
 *   npx tsx packages/stage-features/bench/opensmile.bench.ts [--per-corpus 40] [--rounds 3] [--level functionals|lld]
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeAudioFile } from '../src/audio/index.ts';
import { getCorpusReader, registerBuiltinReaders } from '../src/corpora/index.ts';
import { opensmileAddon, toPcm16 } from '../src/opensmile/addon.ts';
import { type OpensmileLevel, opensmileRun } from '../src/opensmile/feature-sets.ts';
import { findOpensmile } from '../src/opensmile/installation.ts';
import { opensmilePython } from '../test/opensmile/reference.ts';

registerBuiltinReaders();

const { values } = parseArgs({
  options: {
    'per-corpus': { type: 'string', default: '40' },
    rounds: { type: 'string', default: '3' },
    level: { type: 'string', default: 'functionals' },
    root: { type: 'string', default: process.env.SERX_DATA ?? '/work/shared/corpora' },
  },
});
const level = values.level as OpensmileLevel;
const perCorpus = Number(values['per-corpus']);
const rounds = Number(values.rounds);

// Every k-th file of each labelled corpus: speakers and lengths spread like the corpus's.
const files: { path: string; seconds: number }[] = [];
for (const corpus of ['emodb', 'emovo', 'ravdess', 'savee', 'tess']) {
  const { utterances } = await getCorpusReader(corpus).read(join(values.root, corpus), corpus, {});
  const step = Math.max(1, Math.floor(utterances.length / perCorpus));
  for (let i = 0; i < utterances.length && files.length < perCorpus * 5; i += step)
    files.push({ path: utterances[i]!.path, seconds: 0 });
}
const installation = await findOpensmile('opensmile bench');
const run = opensmileRun(installation.configs, 'eGeMAPSv02', level, 16000);
const addon = opensmileAddon(installation.addon, installation.library);
for (const f of files) f.seconds = (await decodeAudioFile(f.path, { targetRate: null })).durationSec;
const audio = files.reduce((s, f) => s + f.seconds, 0);
const python = await opensmilePython();
const script = fileURLToPath(new URL('../test/opensmile/reference.py', import.meta.url));

async function serxPass(): Promise<number> {
  const t0 = performance.now();
  for (const f of files) {
    const { samples } = await decodeAudioFile(f.path, { targetRate: 16000 });
    addon.extract(run.config, run.options, toPcm16(samples));
  }
  return (performance.now() - t0) / 1000;
}

function pythonPass(): number {
  const result = spawnSync(
    python,
    [script, '--time', '1', 'eGeMAPSv02', level, ...files.map((f) => f.path)],
    { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } },
  );
  if (result.status !== 0) throw new Error(`reference.py --time failed:\n${result.stderr}`);
  return (JSON.parse(result.stdout.trim().split('\n').pop()!) as { seconds: number[] }).seconds[0]!;
}

await serxPass(); // warm-up: the addon, the decoders' wasm, the page cache
pythonPass();
const serx: number[] = [];
const py: number[] = [];
for (let r = 0; r < rounds; r++) {
  if (r % 2 === 0) {
    serx.push(await serxPass());
    py.push(pythonPass());
  } else {
    py.push(pythonPass());
    serx.push(await serxPass());
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rtf = (s: number) => (audio / s).toFixed(1);
console.log(
  `eGeMAPSv02 ${level}, ${files.length} files (${audio.toFixed(0)} s of audio), one thread each, ${rounds} interleaved rounds`,
);
console.log('| | s per pass (rounds) | real time per core (median) |');
console.log('|---|---|---:|');
console.log(`| serx (addon) | ${serx.map((s) => s.toFixed(2)).join(', ')} | ${rtf(median(serx))}× |`);
console.log(
  `| opensmile-python process_file | ${py.map((s) => s.toFixed(2)).join(', ')} | ${rtf(median(py))}× |`,
);
console.log(
  `serx / opensmile-python speed (median of per-round ratios): ${median(serx.map((s, i) => py[i]! / s)).toFixed(2)}`,
);
