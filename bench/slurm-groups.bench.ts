// Bench: a spec (default the smoke experiment) in process against a one-node Slurm cluster, with
// job groups and arrays (`executor.grouping: auto`, the default) and without (`off`: one job per
// node, as before groups), each from an empty cache, back to back, the order rotated per round.
// Per run: wall time, jobs submitted (sbatch calls; an array is one), jobs run (array tasks
// counted), per-stage overhead (what the run saw minus the stage's own compute time) and whether
// every key and output hash equals the in-process run's.
//   bash scripts/slurm-local.sh up
//   npm run bench -- slurm-groups [--spec experiments/smoke.yaml] [--rounds 1] [--modes in-process,off,auto]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    spec: { type: 'string', default: 'experiments/smoke.yaml' },
    rounds: { type: 'string', default: '1' },
    modes: { type: 'string', default: 'in-process,off,auto' },
    keep: { type: 'boolean', default: false },
  },
});
const spec = resolve(root, values.spec as string);
const bin = join(root, 'packages/core/bin/serx.mjs');
const modes = (values.modes as string).split(',');

interface Stage {
  id: string;
  status: string;
  key?: string;
  outputs?: { [name: string]: string };
  durationMs?: number;
  job?: { id: string; group?: string };
}

interface Result {
  mode: string;
  wallMs: number;
  stages: Stage[];
  submissions: number;
  jobs: number;
  overheads: number[];
}

function run(mode: string, cache: string): Result {
  const args = ['run', spec, '--cache', cache];
  if (mode === 'in-process') args.push('--executor', 'in-process');
  else args.push('--executor', 'slurm', '--set', `executor.grouping=${mode}`);
  const started = performance.now();
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, MLFLOW_TRACKING_URI: '' },
    maxBuffer: 1 << 28,
  });
  const wallMs = performance.now() - started;
  if (result.status !== 0)
    throw new Error(`serx ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  const recordPath = /record (\S+\.json)/.exec(result.stdout)?.[1] as string;
  const stages = Object.values(JSON.parse(readFileSync(recordPath, 'utf8')).stages) as Stage[];
  const jobIds = new Set(stages.flatMap((s) => (s.job ? [s.job.id] : [])));
  const overheads = stages.flatMap((s) => {
    if (!s.job || s.status !== 'succeeded' || !s.key) return [];
    const manifest = JSON.parse(
      readFileSync(join(cache, 'entries', s.key.slice(0, 2), s.key, 'manifest.json'), 'utf8'),
    );
    return [(s.durationMs ?? 0) - manifest.timing.durationMs];
  });
  return {
    mode,
    wallMs,
    stages,
    submissions: new Set([...jobIds].map((id) => id.split('_')[0])).size,
    jobs: jobIds.size,
    overheads,
  };
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const median = (xs: number[]) =>
  xs.length === 0 ? Number.NaN : ([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number);
const same = (a: Stage[], b: Stage[]) =>
  a.length === b.length &&
  a.every((s) => {
    const o = b.find((t) => t.id === s.id);
    return o?.key === s.key && JSON.stringify(o?.outputs) === JSON.stringify(s.outputs);
  });

const rows: string[] = [];
for (let round = 1; round <= Number(values.rounds); round++) {
  const order = modes.map((_, i) => modes[(i + round - 1) % modes.length] as string);
  const dir = mkdtempSync(join(tmpdir(), 'serx-bench-slurm-groups-'));
  try {
    const results = new Map<string, Result>();
    for (const mode of order) {
      const load = loadavg()[0]?.toFixed(1);
      const result = run(mode, join(dir, mode));
      results.set(mode, result);
      console.error(`round ${round} ${mode}: ${seconds(result.wallMs)} s (load before ${load})`);
    }
    const base = results.get('in-process');
    for (const mode of modes) {
      const r = results.get(mode) as Result;
      const ratio = base ? (r.wallMs / base.wallMs).toFixed(2) : '—';
      const equal = base
        ? same(r.stages, base.stages)
          ? `${r.stages.length}/${r.stages.length}`
          : 'DIFFER'
        : '—';
      const slurm = mode !== 'in-process';
      rows.push(
        `| ${round} | ${mode === 'in-process' ? 'in process' : `Slurm, grouping ${mode}`} | ${seconds(r.wallMs)} s | ${ratio}× | ${slurm ? r.submissions : '—'} | ${slurm ? r.jobs : '—'} | ${slurm ? `${seconds(median(r.overheads))} s` : '—'} | ${slurm ? `${seconds(r.overheads.reduce((a, b) => a + b, 0))} s` : '—'} | ${equal} |`,
      );
      console.error(rows.at(-1));
    }
  } finally {
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`${values.spec}: in process vs one-node Slurm; load ${loadavg()[0]?.toFixed(1)} at the end`);
console.log(
  '| round | executor | wall | × in process | jobs submitted | jobs run | overhead per stage (median) | overhead, sum | keys + outputs equal |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
