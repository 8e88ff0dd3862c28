/**
 * `npm run bench -- e2e [--rounds 3] [--first-seed 1] [--epochs 3] [--ae-epochs 2] [--threads 2]
 *  [--tasks ser,ae,frozen] [--baseline CHECKOUT] [--cache DIR] [--spec FILE] [--target 1.2]`: end-to-end training speed as
 * users run it (issue 22). serx trains the paper spec's `ser_scratch` (task `ser`: `ser:train`, scratch, the
 * recipe's regularisers on: dropout, SpecAugment, weight decay, clipping, class weights, validation
 * every epoch), `ae` (task `ae`: `autoencoder:pretrain` on the unlabelled stores) and `ser_frozen`
 * (task `frozen`: `ser:train` on the round's encoder, frozen; the encoder is trained first, untimed)
 * through `serx run`, for `--epochs` / `--ae-epochs` epochs; Keras (tensorflow-cpu from the wheel
 * libtensorflow came from) trains the same models with the same recipes on the very same feature stores
 * (bench/reference/keras_reference.py, keras_autoencoder.py; its frozen encoder keeps random weights:
 * the same work per step). `--baseline` adds another serx
 * checkout (e.g. `git worktree add --detach ../base main` + `node scripts/setup.mjs`), run the same
 * way: a before/after in the same run.
 *
 * Round r trains every side once with seed first-seed + r − 1 (a cache miss each time, the same
 * seed for all sides; a rerun on the same cache needs new seeds), sides rotating their order from
 * round to round; best of `--rounds` per side. Two figures per run:
 * the whole process (wall and CPU seconds of `serx run` / `python`, children included: start-up,
 * data reading, training, validation, writing the model) and the training alone (serx: the stage's
 * duration in the run record, which still includes loading TensorFlow and the stores and writing the
 * model; Keras: from the model build to the end of training, data already in memory). Features
 * come first, untimed, into the bench's own cache (default ~/.cache/serx/e2e-bench).
 * Exits 1 when serx's best process wall or CPU ratio to Keras is below `--target` for a task.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { kerasPython } from '../packages/stage-autoencoder/bench/keras-venv.ts';
import { inputHashes, outputDir, type RecordedRun } from './reference/run-record.ts';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    'first-seed': { type: 'string', default: '1' },
    epochs: { type: 'string', default: '3' },
    'ae-epochs': { type: 'string', default: '2' },
    threads: { type: 'string', default: process.env.SERX_THREADS ?? '2' },
    tasks: { type: 'string', default: 'ser,ae,frozen' },
    baseline: { type: 'string' },
    cache: { type: 'string', default: join(homedir(), '.cache', 'serx', 'e2e-bench') },
    spec: { type: 'string', default: 'experiments/paper.yaml' },
    target: { type: 'string', default: '1.2' },
  },
});
const rounds = Number(values.rounds);
const firstSeed = Number(values['first-seed']);
const threads = Number(values.threads);
type Task = 'ser' | 'ae' | 'frozen';
const tasks = (values.tasks as string).split(',') as Task[];
const taskNames: Record<Task, string> = {
  ser: 'ser:train scratch',
  ae: 'autoencoder:pretrain',
  frozen: 'ser:train frozen',
};
/** The spec's stage each task times. */
const stageOf: Record<Task, string> = { ser: 'ser_scratch', ae: 'ae', frozen: 'ser_frozen' };
const cache = resolve(values.cache as string);
const data = resolve(process.env.SERX_DATA ?? join(root, '..', 'shared', 'corpora'));
const work = mkdtempSync(join(tmpdir(), 'serx-e2e-'));
const python = kerasPython();

type Side = 'serx' | 'keras' | 'baseline';
const checkouts: Partial<Record<Side, string>> = { serx: root };
if (values.baseline) checkouts.baseline = resolve(values.baseline);
const sides: Side[] = ['serx', 'keras', ...(values.baseline ? (['baseline'] as const) : [])];
const specName = (side: Side) => `e2e-bench-${side}`;

/** A spec per serx checkout: its own paper spec, seeds 1..rounds, the bench's epochs, ae per seed. */
function writeSpec(side: Side): string {
  const file = join(work, `${side}.yaml`);
  writeFileSync(
    file,
    [
      `name: ${specName(side)}`,
      `extends: ${JSON.stringify(join(checkouts[side]!, values.spec as string))}`,
      `matrix: { seed: [${Array.from({ length: rounds }, (_, i) => i + firstSeed).join(', ')}] }`,
      'stages:',
      `  ser_scratch: { params: { epochs: ${Number(values.epochs)} } }`,
      `  ser_frozen: { params: { epochs: ${Number(values.epochs)} } }`,
      `  ae: { seed: "\${matrix.seed}", params: { epochs: ${Number(values['ae-epochs'])} } }`,
      '',
    ].join('\n'),
  );
  return file;
}

interface Timed {
  wall: number;
  cpu: number;
  stdout: string;
}
/** Runs a command under bash; wall seconds, and CPU seconds of all its (waited-for) descendants. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Timed {
  const out = join(work, 'stdout');
  const start = performance.now();
  const result = spawnSync(
    'bash',
    ['-c', '"$@" > "$E2E_OUT"; st=$?; times; exit $st', 'bash', cmd, ...args],
    {
      encoding: 'utf8',
      env: { ...process.env, ...env, E2E_OUT: out },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const wall = (performance.now() - start) / 1000;
  const stdout = readFileSync(out, 'utf8');
  if (result.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${result.status})\n${stdout}`);
  const children = result.stdout.trim().split('\n')[1] ?? '';
  const cpu = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (s, m) => s + Number(m[1]) * 60 + Number(m[2]),
    0,
  );
  return { wall, cpu, stdout };
}

const serxRun = (side: Side, spec: string, only: string[]) =>
  timed(
    process.execPath,
    [
      join(checkouts[side]!, 'packages/core/bin/serx.mjs'),
      'run',
      spec,
      ...only.flatMap((o) => ['--only', o]),
      '--cache',
      cache,
      '--threads',
      String(threads),
    ],
    { SERX_DATA: data },
  );

// --- features first (untimed), for every serx checkout (the same keys: a hit for the second)
const specs: Partial<Record<Side, string>> = {};
const features = [
  'mfcc_emodb',
  'mfcc_emovo',
  'mfcc_iemocap',
  'mfcc_ravdess',
  'mfcc_savee',
  'mfcc_unlabelled',
  'mfcc_unlabelled_extra',
];
for (const side of sides.filter((s) => s !== 'keras')) {
  specs[side] = writeSpec(side);
  const prep = serxRun(side, specs[side]!, features);
  console.log(`${side}: features ready (${prep.wall.toFixed(0)} s)`);
}

interface Figure {
  wall: number;
  cpu: number;
  trainWall: number;
  epochs: number;
}
const figures = new Map<string, Figure[]>(); // `${task} ${side}`
const record = (task: string, side: Side, f: Figure) => {
  figures.set(`${task} ${side}`, [...(figures.get(`${task} ${side}`) ?? []), f]);
  console.log(
    `  ${task} ${side}: ${f.wall.toFixed(1)} s wall, ${f.cpu.toFixed(1)} s CPU (training ${f.trainWall.toFixed(1)} s, ${f.epochs} epochs)`,
  );
};
/** The newest serx (not baseline) run record that trained each task: Keras reads its stores and config. */
const serxRuns: Partial<Record<Task, RecordedRun>> = {};

function runSerx(task: Task, side: Side, seed: number): void {
  const id = `${stageOf[task]}[seed=${seed}]`;
  // the frozen model's encoder: trained untimed first (a cache hit when the ae task ran this round)
  if (task === 'frozen') serxRun(side, specs[side]!, [`ae[seed=${seed}]`]);
  const t = serxRun(side, specs[side]!, [id]);
  const run = readNewest(specName(side));
  const stage = run.stages[id];
  if (stage?.status !== 'succeeded')
    throw new Error(`${side} ${id}: ${stage?.status} (a cached stage is no timing)`);
  if (side === 'serx') serxRuns[task] = run;
  const metrics = (stage as { metrics?: { epochs_run?: number } }).metrics;
  record(task, side, {
    wall: t.wall,
    cpu: t.cpu,
    trainWall: ((stage as { durationMs?: number }).durationMs ?? Number.NaN) / 1000,
    epochs: metrics?.epochs_run ?? Number.NaN,
  });
}

function readNewest(name: string): RecordedRun {
  const runs = spawnSync('ls', [join(cache, 'runs')], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((f) => f.endsWith('.json'))
    .sort()
    .reverse();
  for (const file of runs) {
    const run = JSON.parse(readFileSync(join(cache, 'runs', file), 'utf8')) as RecordedRun;
    if (run.spec.name === name) return run;
  }
  throw new Error(`no run record of ${name} in ${cache}/runs`);
}

/** The stores a recorded stage read (its input hashes matched to the feature stages' outputs). */
function storesOf(run: RecordedRun, id: string, input: string): string[] {
  const wanted = new Set(inputHashes(run.stages[id]!, input));
  return Object.values(run.stages)
    .filter((s) => s.stage === 'features:mfcc' && s.outputs?.features && wanted.has(s.outputs.features))
    .map((s) => outputDir(cache, s, 'features'));
}

function runKeras(task: Task, seed: number): void {
  const run = serxRuns[task];
  if (!run) throw new Error(`serx has not trained ${task} yet (round 1 runs serx first)`);
  if (task !== 'ae') {
    const name = stageOf[task];
    const stage = Object.entries(run.stages).find(([id, s]) => id.startsWith(`${name}[`) && s.key)?.[1];
    if (!stage) throw new Error(`no trained ${name} in the serx run record yet`);
    const id = Object.keys(run.stages).find((k) => run.stages[k] === stage)!;
    const model = JSON.parse(readFileSync(join(outputDir(cache, stage, 'model'), 'config.json'), 'utf8'));
    const t = timed(python, [
      join(root, 'bench/reference/keras_reference.py'),
      JSON.stringify({
        stores: storesOf(run, id, 'data'),
        seeds: [seed],
        threads,
        model,
        params: stage.keyInput?.params,
        evaluateTest: false,
      }),
    ]);
    const result = JSON.parse(t.stdout.trim().split('\n').at(-1)!);
    record(task, 'keras', { wall: t.wall, cpu: t.cpu, trainWall: result.seconds, epochs: result.epochs });
  } else {
    const [id, stage] = Object.entries(run.stages).find(([k, s]) => k.startsWith('ae[') && s.key) ?? [];
    if (!id || !stage) throw new Error('no trained ae in the serx run record yet');
    const structure = JSON.parse(
      readFileSync(join(outputDir(cache, stage, 'encoder'), 'structure.json'), 'utf8'),
    );
    const t = timed(python, [
      join(root, 'bench/reference/keras_autoencoder.py'),
      JSON.stringify({
        stores: storesOf(run, id, 'features'),
        seed,
        threads,
        structure,
        params: stage.keyInput?.params,
      }),
    ]);
    const result = JSON.parse(t.stdout.trim().split('\n').at(-1)!);
    record('ae', 'keras', { wall: t.wall, cpu: t.cpu, trainWall: result.seconds, epochs: result.epochs });
  }
}

for (let r = 1; r <= rounds; r++) {
  // round 1 starts with serx (Keras reads the model configuration serx wrote), then rotates
  const order = sides.map((_, i) => sides[(i + r - 1) % sides.length]!);
  console.log(`round ${r}/${rounds}: ${order.join(', ')} (load ${loadavg()[0]!.toFixed(1)})`);
  for (const task of tasks)
    for (const side of order) {
      if (side === 'keras') runKeras(task, firstSeed + r - 1);
      else runSerx(task, side, firstSeed + r - 1);
    }
}
rmSync(work, { recursive: true, force: true });

// --- tables: best of the rounds per side, ratios of the bests (> 1: serx faster)
const best = (task: string, side: Side, key: keyof Figure) =>
  Math.min(...(figures.get(`${task} ${side}`) ?? []).map((f) => f[key]));
const f1 = (v: number) => v.toFixed(1);
const f2 = (v: number) => `${v.toFixed(2)}×`;
const target = Number(values.target);
let missed = 0;
console.log(
  `\nEnd to end, best of ${rounds} (threads ${threads}; ser_scratch and ser_frozen ${values.epochs} epochs, ae ${values['ae-epochs']} epochs; seconds)`,
);
console.log(
  '| task | side | process wall | process CPU | training wall | serx vs Keras wall | serx vs Keras CPU | serx vs Keras training |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
for (const task of tasks) {
  for (const side of sides) {
    const ratio = (key: keyof Figure) =>
      side === 'keras' ? '' : f2(best(task, 'keras', key) / best(task, side, key));
    console.log(
      `| ${taskNames[task]} | ${side} | ${f1(best(task, side, 'wall'))} | ${f1(best(task, side, 'cpu'))} | ${f1(best(task, side, 'trainWall'))} | ${ratio('wall')} | ${ratio('cpu')} | ${ratio('trainWall')} |`,
    );
  }
  for (const key of ['wall', 'cpu'] as const)
    if (best(task, 'keras', key) / best(task, 'serx', key) < target) missed++;
  if (values.baseline)
    console.log(
      `| ${task} | serx vs baseline (before/after) | | | | ${f2(best(task, 'baseline', 'wall') / best(task, 'serx', 'wall'))} | ${f2(best(task, 'baseline', 'cpu') / best(task, 'serx', 'cpu'))} | ${f2(best(task, 'baseline', 'trainWall') / best(task, 'serx', 'trainWall'))} |`,
    );
}
console.log('\nAll rounds (wall / CPU s):');
for (const [key, list] of figures)
  console.log(`  ${key}: ${list.map((f) => `${f1(f.wall)}/${f1(f.cpu)}`).join(', ')}`);
if (missed > 0) {
  console.error(`\nserx below ${target}× Keras on ${missed} end-to-end figure(s)`);
  process.exit(1);
}
