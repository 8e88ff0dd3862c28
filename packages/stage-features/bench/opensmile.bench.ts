/**
 * openSMILE extraction speed per core: serx (decode + resample + 16-bit PCM + libSMILEapi through the
 * addon, what each feature worker does per file) against opensmile-python's `Smile.process_file`
 * (the same library, in the reference venv) on the same files, one thread each, interleaved
 * round by round (the order alternating) so that both see the same machine load. Reports real time
 * per core (seconds of audio per CPU second of the process; wall time too) and their ratios.
 *
 *   node --import @serx/core/typescript/import packages/stage-features/bench/opensmile.bench.ts [--per-corpus 40] [--rounds 3] [--level functionals|lld]
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
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

interface Pass {
  wall: number;
  cpu: number;
}

async function serxPass(): Promise<Pass> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (const f of files) {
    const { samples } = await decodeAudioFile(f.path, { targetRate: 16000 });
    addon.extract(run.config, run.options, toPcm16(samples));
  }
  const cpu = process.cpuUsage(cpu0);
  return { wall: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

function pythonPass(): Pass {
  const result = spawnSync(
    python,
    [script, '--time', '1', 'eGeMAPSv02', level, ...files.map((f) => f.path)],
    { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } },
  );
  if (result.status !== 0) throw new Error(`reference.py --time failed:\n${result.stderr}`);
  const out = JSON.parse(result.stdout.trim().split('\n').pop()!) as { seconds: number[]; cpu: number[] };
  return { wall: out.seconds[0]!, cpu: out.cpu[0]! };
}

await serxPass(); // warm-up: the addon, the decoders' wasm, the page cache
pythonPass();
const serx: Pass[] = [];
const py: Pass[] = [];
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
const rt = (s: number) => `${(audio / s).toFixed(1)}×`;
const row = (name: string, passes: Pass[]) =>
  `| ${name} | ${passes.map((p) => p.wall.toFixed(1)).join(', ')} | ${passes.map((p) => p.cpu.toFixed(1)).join(', ')} | ${rt(median(passes.map((p) => p.cpu)))} | ${rt(median(passes.map((p) => p.wall)))} |`;
console.log(
  `eGeMAPSv02 ${level}, ${files.length} files (${audio.toFixed(0)} s of audio), one thread each, ${rounds} interleaved rounds, load average ${loadavg()[0]!.toFixed(1)}`,
);
console.log(
  '| | wall s per pass | CPU s per pass | real time per core (audio / CPU, median) | audio / wall (median) |',
);
console.log('|---|---|---|---:|---:|');
console.log(row('serx (addon)', serx));
console.log(row('opensmile-python `Smile.process_file`', py));
const ratio = (f: (p: Pass) => number) => median(serx.map((s, i) => f(py[i]!) / f(s))).toFixed(2);
console.log(
  `serx / opensmile-python speed, median of per-round ratios: ${ratio((p) => p.cpu)} by CPU time, ${ratio((p) => p.wall)} by wall time`,
);
