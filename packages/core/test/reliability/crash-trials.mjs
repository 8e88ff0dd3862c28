#!/usr/bin/env node
/**
 * Crash trials: SIGKILL `serx run` (the runner and its stage processes) at random moments, rerun
 * with --verify, and check that every node's output hashes equal those of an uninterrupted run.
 *
 *   node packages/core/test/reliability/crash-trials.mjs [--spec experiments/smoke.yaml]
 *        [--kills 15] [--seed 1] [--fraction 0.5] [--window 0.8] [--work <dir>] [--reference <dir>]
 *
 * Each trial copies the reference cache, removes the entries of a random `fraction` of the nodes (so the
 * run has work to do, model stages included), kills the run at a uniformly random time within
 * `window` × the expected duration of that work, then reruns to completion with --verify. Afterwards: the rerun
 * succeeded, every entry verifies, tmp/ and locks/ are empty, and the output hashes of every node
 * equal the reference run's. Prints a table and a JSON summary (`crash-trials.json` in --work).
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    spec: { type: 'string', default: 'experiments/smoke.yaml' },
    kills: { type: 'string', default: '15' },
    seed: { type: 'string', default: '1' },
    fraction: { type: 'string', default: '0.5' },
    window: { type: 'string', default: '0.8' },
    work: { type: 'string', default: join(homedir(), '.cache/serx/crash-trials') },
    reference: { type: 'string' },
    bin: { type: 'string', default: join(import.meta.dirname, '../../bin/serx.mjs') },
  },
});
const spec = resolve(values.spec);
const work = resolve(values.work);
const wanted = Number(values.kills);

let state = Number(values.seed) >>> 0 || 1;
/** mulberry32: reproducible trial choices for a given --seed */
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function serx(args, { killAfterMs } = {}) {
  const started = Date.now();
  // its own process group, so the kill takes the stage processes with it (like a machine crash)
  const proc = spawn(process.execPath, [values.bin, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MLFLOW_TRACKING_URI: '' },
  });
  let output = '';
  proc.stdout.on('data', (c) => (output += c));
  proc.stderr.on('data', (c) => (output += c));
  let killedAt;
  const timer =
    killAfterMs === undefined
      ? undefined
      : setTimeout(() => {
          killedAt = Date.now() - started;
          process.kill(-proc.pid, 'SIGKILL');
        }, killAfterMs);
  return new Promise((done) =>
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      done({
        code,
        signal,
        output,
        ms: Date.now() - started,
        killedAt: signal === 'SIGKILL' ? killedAt : undefined,
      });
    }),
  );
}

async function newestRecord(cache) {
  const names = (await readdir(join(cache, 'runs'))).filter((n) => n.endsWith('.json')).sort();
  return JSON.parse(await readFile(join(cache, 'runs', names.at(-1)), 'utf8'));
}

const entryDir = (cache, key) => join(cache, 'entries', key.slice(0, 2), key);
const outputsOf = (record) =>
  Object.fromEntries(Object.entries(record.stages).map(([id, s]) => [id, s.outputs ?? {}]));

async function reference() {
  if (values.reference) return resolve(values.reference);
  const cache = join(work, 'reference');
  await rm(cache, { recursive: true, force: true });
  console.log(`reference run of ${spec} into ${cache} ...`);
  const ran = await serx(['run', spec, '--cache', cache]);
  if (ran.code !== 0) throw new Error(`reference run failed (${ran.code}):\n${ran.output.slice(-3000)}`);
  console.log(`reference run: ${(ran.ms / 1000).toFixed(0)} s`);
  return cache;
}

async function trial(n, refCache, ref) {
  const cache = join(work, `trial-${n}`);
  await rm(cache, { recursive: true, force: true });
  await cp(refCache, cache, { recursive: true });
  await rm(join(cache, 'runs'), { recursive: true, force: true });
  await mkdir(join(cache, 'runs'));
  const ids = Object.keys(ref.stages);
  let removed = ids.filter(() => random() < Number(values.fraction));
  if (removed.length === 0) removed = [ids[Math.floor(random() * ids.length)]];
  for (const id of removed) await rm(entryDir(cache, ref.stages[id].key), { recursive: true, force: true });
  // start-up (spec, plugins) + the removed stages' own durations, as if they ran one after another
  const expectedMs =
    1500 + 0.1 * ref.durationMs + removed.reduce((sum, id) => sum + (ref.stages[id].durationMs ?? 0), 0);
  const killAfterMs = Math.round(500 + random() * Number(values.window) * expectedMs);

  const killed = await serx(['run', spec, '--cache', cache], { killAfterMs });
  const rerun = await serx(['run', spec, '--cache', cache, '--verify']);
  const record = await newestRecord(cache);
  const outputs = outputsOf(record);
  const refOutputs = outputsOf(ref);
  const differing = ids.filter((id) => JSON.stringify(outputs[id]) !== JSON.stringify(refOutputs[id]));
  const leftovers = [
    ...(await readdir(join(cache, 'tmp'))).map((n) => `tmp/${n}`),
    ...(await readdir(join(cache, 'locks'))).map((n) => `locks/${n}`),
  ];
  const counts = record.counts;
  const result = {
    trial: n,
    removed: removed.length,
    killAfterMs,
    killed: killed.signal === 'SIGKILL',
    killedCode: killed.code,
    rerunCode: rerun.code,
    recomputed: counts.succeeded ?? 0,
    recomputedNodes: ids.filter((id) => record.stages[id]?.status === 'succeeded'),
    cached: counts.cached ?? 0,
    corruptWarnings: (rerun.output.match(/is corrupt/g) ?? []).length,
    staleLocks: (rerun.output.match(/stale lock/g) ?? []).length,
    differing,
    leftovers,
  };
  await rm(cache, { recursive: true, force: true });
  return result;
}

await mkdir(work, { recursive: true });
const refCache = await reference();
const ref = await newestRecord(refCache);
if (ref.status !== 'succeeded') throw new Error(`the reference run ended ${ref.status}`);
const results = [];
for (let n = 1; results.filter((r) => r.killed).length < wanted && n <= wanted * 2; n++) {
  const r = await trial(n, refCache, ref);
  results.push(r);
  console.log(
    `trial ${r.trial}: removed ${r.removed} entries, ${r.killed ? `SIGKILL at ${(r.killAfterMs / 1000).toFixed(1)} s` : `finished before the kill (exit ${r.killedCode})`}; rerun --verify exit ${r.rerunCode}, ${r.recomputed} recomputed, ${r.cached} cached, corrupt ${r.corruptWarnings}, stale locks ${r.staleLocks}, differing outputs: ${r.differing.join(', ') || 'none'}, leftovers: ${r.leftovers.join(', ') || 'none'}`,
  );
}
const kills = results.filter((r) => r.killed);
const summary = {
  spec,
  nodes: Object.keys(ref.stages).length,
  trials: results.length,
  kills: kills.length,
  rerunsSucceeded: kills.filter((r) => r.rerunCode === 0).length,
  identicalOutputs: kills.filter((r) => r.differing.length === 0).length,
  withLeftovers: kills.filter((r) => r.leftovers.length > 0).length,
  corruptWarnings: kills.reduce((s, r) => s + r.corruptWarnings, 0),
  results,
};
await writeFile(join(work, 'crash-trials.json'), `${JSON.stringify(summary, null, 1)}\n`);
console.log(
  `${summary.kills} kills: ${summary.rerunsSucceeded} reruns succeeded, ${summary.identicalOutputs} with every node's output hashes identical to the reference, ${summary.withLeftovers} with leftovers, ${summary.corruptWarnings} corrupt-entry warnings`,
);
process.exitCode =
  summary.kills >= wanted && summary.identicalOutputs === summary.kills && summary.withLeftovers === 0
    ? 0
    : 1;
