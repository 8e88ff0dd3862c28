// Bench: start-up of the in-repo serx (TypeScript sources through its loader) vs an installed serx (the
// packed tarballs, built JS, no loader): `serx --version` and a no-op rerun of the smoke spec (every
// stage cached), interleaved, min/median of --runs each; plus tarball and fresh-install sizes.
//   npm run bench -- startup [--runs 10] [--study DIR] [--baseline CHECKOUT]...
//   (--study: a folder where the tarballs are installed already; default: pack and install into a
//   temp folder. --baseline: another checkout of serx, e.g. `git worktree add --detach ../base main`
//   + `npm ci --ignore-scripts`, measured the same way, interleaved with this one: before/after in
//   one run. Several --baseline: each is labelled by its folder's name, e.g. an old "before" and
//   the commit a branch started from)
// The first rerun of each is untimed: it fills that serx's cache (the code fingerprint differs
// between sources and built JS, so each has its own cache under ~/.cache/serx/startup-bench-*).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    study: { type: 'string' },
    baseline: { type: 'string', multiple: true },
  },
});
const RUNS = Number(values.runs);
const data = resolve(process.env.SERX_DATA ?? join(root, '..', 'shared', 'corpora'));

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 1 << 26,
  });
  if (result.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function du(path: string): string {
  return sh('du', ['-sh', path], root).split('\t')[0]!;
}

/** Packs `checkout`'s packages, installs them into a fresh study and runs its `serx setup`. */
function installStudy(checkout: string, label: string, work: string): string {
  const reports = JSON.parse(
    sh(
      process.execPath,
      [join(checkout, 'scripts/pack.mjs'), '--out', join(work, 'packs'), '--json'],
      checkout,
    ),
  ) as {
    name: string;
    filename: string;
    size: number;
    unpackedSize: number;
    entryCount: number;
    tarball: string;
  }[];
  console.log(`${label}:\n| tarball | packed | unpacked | files |\n|---|---:|---:|---:|`);
  for (const r of reports)
    console.log(
      `| ${r.filename} | ${(r.size / 1024).toFixed(0)} kB | ${(r.unpackedSize / 1024).toFixed(0)} kB | ${r.entryCount} |`,
    );
  const study = join(work, 'study');
  mkdirSync(study);
  writeFileSync(join(study, 'package.json'), '{ "name": "study", "private": true }\n');
  sh(
    'npm',
    [
      'install',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      ...reports.map((r) => r.tarball),
    ],
    study,
  );
  console.log(
    `\nfresh install (node_modules, ${reports.length} serx packages + their dependencies): ${du(join(study, 'node_modules'))}`,
  );
  // the smoke spec's eGeMAPS rows need openSMILE (opt-in); a serx from before it has no --with
  const withOpensmile = spawnSync(join(study, 'node_modules/.bin/serx'), ['setup', '--with', 'opensmile'], {
    cwd: study,
    encoding: 'utf8',
  });
  if (withOpensmile.status !== 0) sh(join(study, 'node_modules/.bin/serx'), ['setup'], study);
  return study;
}

const work = mkdtempSync(join(tmpdir(), 'serx-startup-bench-'));
const baselines = (values.baseline ?? []).map((dir) => resolve(dir));
const checkouts = [
  ...baselines.map((dir) => ({
    label: baselines.length === 1 ? 'before' : `before (${basename(dir)})`,
    dir,
  })),
  { label: baselines.length > 0 ? 'after' : '', dir: root },
];
const variants: { name: string; bin: string; cwd: string; spec: string; cache: string }[] = [];
/** `before`, `before-base`, `after`, `this`: the name of a variant's cache folder. */
const cacheName = (label: string) => label.replace(/ \((.*)\)$/, '-$1') || 'this';
for (const [i, checkout] of checkouts.entries()) {
  const study =
    values.study && baselines.length === 0
      ? values.study
      : installStudy(checkout.dir, checkout.label || 'serx', join(work, String(i)));
  if (!existsSync(join(work, String(i)))) mkdirSync(join(work, String(i)), { recursive: true });
  mkdirSync(join(study, 'smoke'), { recursive: true });
  for (const spec of ['smoke.yaml', 'paper.yaml'])
    copyFileSync(join(checkout.dir, 'experiments', spec), join(study, 'smoke', spec));
  const tag = checkout.label ? `${checkout.label}: ` : '';
  variants.push(
    {
      name: `${tag}in-repo (sources)`,
      bin: join(checkout.dir, 'packages/core/bin/serx.mjs'),
      cwd: checkout.dir,
      spec: 'experiments/smoke.yaml',
      cache: `${cacheName(checkout.label)}-repo`,
    },
    {
      name: `${tag}installed (built JS)`,
      bin: join(study, 'node_modules/@serx/core/bin/serx.mjs'),
      cwd: study,
      spec: 'smoke/smoke.yaml',
      cache: `${cacheName(checkout.label)}-installed`,
    },
  );
}

function timed(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  sh(process.execPath, [bin, ...args], cwd, env);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const samples = new Map<string, number[]>();
const add = (key: string, seconds: number) => samples.set(key, [...(samples.get(key) ?? []), seconds]);
const envOf = (cache: string) => ({
  SERX_DATA: data,
  SERX_CACHE: join(homedir(), '.cache', 'serx', `startup-bench-${cache}`),
});
for (const v of variants) {
  const started = Date.now();
  sh(process.execPath, [v.bin, 'run', v.spec], v.cwd, envOf(v.cache)); // fills the cache
  console.log(`${v.name}: cache filled in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
for (let i = 0; i < RUNS; i++) {
  for (const v of variants) {
    add(`${v.name} | serx --version`, timed(v.bin, ['--version'], v.cwd, envOf(v.cache)));
    add(`${v.name} | no-op rerun of smoke`, timed(v.bin, ['run', v.spec], v.cwd, envOf(v.cache)));
  }
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
console.log(
  `\n${RUNS} runs each, interleaved; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log('| serx | command | min | median |\n|---|---|---:|---:|');
for (const [key, xs] of samples) {
  const [who, what] = key.split(' | ');
  console.log(`| ${who} | ${what} | ${Math.min(...xs).toFixed(3)} s | ${median(xs).toFixed(3)} s |`);
}
rmSync(work, { recursive: true, force: true }); // ~1 GB per study with the native addon's libtensorflow
