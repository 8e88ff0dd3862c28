/**
 * `npm run bench -- reference [--seeds 5] [--epochs N] [--threads 2] [--cache DIR] [--spec FILE] [--out FILE]`:
 * the reference check of issue 11. serx trains the paper's CNN-LSTM from scratch (`ser_scratch` of
 * the spec, default experiments/paper.yaml, through `serx run --only eval_scratch`), then the same
 * model and recipe is trained in Keras (tensorflow-cpu from the wheel libtensorflow came from, in
 * the benches' venv, created on first use) on the very feature stores and splits serx used, for the
 * same seeds. Prints UA per test set for both with t intervals over seeds; exits 1 when, with two or
 * more seeds, serx's mean falls outside Keras's interval on some test set.
 *
 * Small: `npm run bench -- reference --seeds 1 --epochs 2` (no intervals with one seed).
 * `--out FILE` also writes what it prints after serx's run (Keras per seed, the table) to FILE:
 * `node scripts/results.mjs --reference FILE` puts it in docs/results.md as it is.
 * The serx side is cached (default cache ~/.cache/serx/reference, or $SERX_CACHE): a rerun only
 * retrains Keras.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { tInterval } from '@serx/core';
import { kerasPython } from '../packages/stage-autoencoder/bench/keras-venv.ts';
import { inputHashes, newestRun, outputDir, type RecordedStage } from './reference/run-record.ts';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '5' },
    epochs: { type: 'string' },
    threads: { type: 'string', default: process.env.SERX_THREADS ?? '2' },
    cache: {
      type: 'string',
      default: process.env.SERX_CACHE ?? join(homedir(), '.cache', 'serx', 'reference'),
    },
    spec: { type: 'string', default: join(root, 'experiments', 'paper.yaml') },
    out: { type: 'string' },
  },
});
/** What this bench reports (after serx's own run log): printed, and kept for --out. */
const printed: string[] = [];
const say = (line: string) => {
  printed.push(line);
  console.log(line);
};
const seeds = Array.from({ length: Number(values.seeds) }, (_, i) => i + 1);
const cache = resolve(values.cache as string);
const SPEC_NAME = 'reference-check';

// --- serx: the spec's own scratch model, for these seeds (and epochs), through the CLI
const dir = await mkdtemp(join(tmpdir(), 'serx-reference-'));
const specFile = join(dir, 'reference.yaml');
await writeFile(
  specFile,
  [
    `name: ${SPEC_NAME}`,
    `extends: ${JSON.stringify(resolve(values.spec as string))}`,
    `matrix: { seed: [${seeds.join(', ')}] }`,
    ...(values.epochs ? ['stages:', `  ser_scratch: { params: { epochs: ${Number(values.epochs)} } }`] : []),
    '',
  ].join('\n'),
);
const serx = spawnSync(
  process.execPath,
  [
    join(root, 'packages/core/bin/serx.mjs'),
    'run',
    specFile,
    '--only',
    'eval_scratch',
    '--cache',
    cache,
    '--threads',
    values.threads as string,
  ],
  {
    stdio: 'inherit',
    // the spec's data path is relative to paper.yaml, not to this temporary spec
    env: { ...process.env, SERX_DATA: process.env.SERX_DATA ?? resolve(root, '..', 'shared', 'corpora') },
  },
);
await rm(dir, { recursive: true, force: true });
if (serx.status !== 0) {
  console.error(`serx run failed (exit ${serx.status})`);
  process.exit(1);
}

const run = await newestRun(cache, SPEC_NAME);
const stage = (id: string): RecordedStage => {
  const s = run.stages[id];
  if (!s?.key) throw new Error(`run ${run.runId}: stage ${id} did not produce an entry`);
  return s;
};
const predict = stage(`predict_scratch[seed=${seeds[0]}]`);
const wanted = new Set(inputHashes(predict, 'features'));
const stores = Object.values(run.stages)
  .filter((s) => s.stage === 'features:mfcc' && s.outputs?.features && wanted.has(s.outputs.features))
  .map((s) => outputDir(cache, s, 'features'));
const trainStage = stage(`ser_scratch[seed=${seeds[0]}]`);
const modelConfig = JSON.parse(
  await readFile(join(outputDir(cache, trainStage, 'model'), 'config.json'), 'utf8'),
);
const serxUa = new Map<string, number[]>();
for (const seed of seeds) {
  const file = join(outputDir(cache, stage(`eval_scratch[seed=${seed}]`), 'evaluation'), 'evaluation.json');
  const doc = JSON.parse(await readFile(file, 'utf8')) as {
    models: { corpora: { corpus: string; ua: number }[] }[];
  };
  for (const c of doc.models[0]?.corpora ?? []) serxUa.set(c.corpus, [...(serxUa.get(c.corpus) ?? []), c.ua]);
}

// --- Keras: the same model and recipe on the same stores
const python = kerasPython();
const child = spawn(
  python,
  [
    join(import.meta.dirname, 'reference', 'keras_reference.py'),
    JSON.stringify({
      stores,
      seeds,
      threads: Number(values.threads),
      model: modelConfig,
      params: trainStage.keyInput?.params,
    }),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const kerasUa = new Map<string, number[]>();
let info: { tensorflow?: string; keras?: string; train?: number; validation?: number; test?: number } = {};
for await (const line of createInterface({ input: child.stdout })) {
  const msg = JSON.parse(line);
  if (msg.ready) {
    info = msg;
    say(
      `Keras ${msg.keras} (tensorflow ${msg.tensorflow}): ${msg.train} train / ${msg.validation} validation / ${msg.test} test utterances`,
    );
    continue;
  }
  say(
    `Keras seed ${msg.seed}: best epoch ${msg.bestEpoch} of ${msg.epochs}, ${msg.seconds.toFixed(0)} s; UA ${Object.entries(
      msg.ua as { [c: string]: number },
    )
      .map(([c, v]) => `${c} ${(v * 100).toFixed(1)}`)
      .join(', ')}`,
  );
  for (const [c, v] of Object.entries(msg.ua as { [c: string]: number }))
    kerasUa.set(c, [...(kerasUa.get(c) ?? []), v]);
}
const code = await new Promise<number>((done) => child.on('close', (c) => done(c ?? 1)));
if (code !== 0) {
  console.error(`${python} keras_reference.py failed (exit ${code})`);
  process.exit(1);
}

// --- the table
const pct = (v: number | null) => (v === null ? '–' : (v * 100).toFixed(1));
// UA lives in [0, 1]: intervals are cut there, as in the report's Table 2
const interval = (xs: number[]) => {
  const ci = tInterval(xs, 0.95);
  return {
    ...ci,
    lo: ci.lo === null ? null : Math.max(0, ci.lo),
    hi: ci.hi === null ? null : Math.min(1, ci.hi),
  };
};
const show = (xs: number[]) => {
  const ci = interval(xs);
  return ci.lo === null ? `${pct(ci.mean)} (n=${ci.n})` : `${pct(ci.mean)} [${pct(ci.lo)}, ${pct(ci.hi)}]`;
};
const epochs = trainStage.keyInput?.params.epochs;
say(
  `\nReference check: CNN-LSTM from scratch, ${seeds.length} seed(s), up to ${epochs} epochs; UA % per test set, mean [95 % t interval over seeds]; * unseen corpus`,
);
const rows = [
  [
    'test set',
    'serx',
    `Keras ${info.keras ?? ''}`.trim(),
    'serx − Keras (pp)',
    'serx mean in Keras interval',
  ],
];
let outside = 0;
for (const corpus of [...serxUa.keys()].sort()) {
  const s = serxUa.get(corpus) ?? [];
  const k = kerasUa.get(corpus) ?? [];
  const ks = interval(k);
  const ss = interval(s);
  const inside = ks.lo === null || ks.hi === null ? null : ss.mean >= ks.lo && ss.mean <= ks.hi;
  if (inside === false) outside++;
  const unseen = !(modelConfig.trainCorpora as string[]).includes(corpus);
  rows.push([
    `${corpus}${unseen ? '*' : ''}`,
    show(s),
    k.length ? show(k) : '–',
    ((ss.mean - ks.mean) * 100).toFixed(1),
    inside === null ? 'n/a (1 seed)' : inside ? 'yes' : 'NO',
  ]);
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) say(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
if (outside > 0) say(`\nserx is outside Keras's seed interval on ${outside} test set(s)`);
if (values.out) await writeFile(values.out as string, `${printed.join('\n')}\n`);
if (outside > 0) process.exit(1);
