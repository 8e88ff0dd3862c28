#!/usr/bin/env node
// Scheduler overhead of a `serx run --executor slurm` run, per stage, from its run record, the
// published manifests and `scontrol show job` (run it within MinJobAge of the run):
//   node scripts/slurm-overhead.mjs <cache-dir> [<run-id>]
// queue   = Slurm StartTime - SubmitTime (1 s resolution)
// startup = stage start in the job (manifest timing) - job StartTime: node + spec load + cache checks
//           (for the first stage of a job; a later stage of a job group starts after the earlier ones)
// after   = run saw the node done - stage end in the job: publish, the `done` line, log polling
// total   = what the run saw (the node asked of the job to done) - the stage's own compute time
// A job group's or array's stages share a job id (array tasks: <array>_<i>); `jobs submitted` counts
// sbatch calls, `jobs run` counts the jobs and array tasks.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [cache, wanted] = process.argv.slice(2);
if (!cache) {
  console.error('usage: node scripts/slurm-overhead.mjs <cache-dir> [<run-id>]');
  process.exit(2);
}
const runs = readdirSync(join(cache, 'runs'))
  .filter((n) => n.endsWith('.json') && !n.includes('.job'))
  .sort();
const name = wanted ? `${wanted}.json` : runs.at(-1);
const record = JSON.parse(readFileSync(join(cache, 'runs', name), 'utf8'));
const shown = new Map();
const scontrol = (id) => {
  if (!shown.has(id)) {
    const out = execFileSync('scontrol', ['show', 'job', '-o', id], { encoding: 'utf8' });
    shown.set(id, Object.fromEntries([...out.matchAll(/(\w+)=(\S*)/g)].map((m) => [m[1], m[2]])));
  }
  return shown.get(id);
};
const seconds = (ms) => (ms === undefined ? '—' : (ms / 1000).toFixed(1));
const rows = [];
const firstOfJob = new Set();
const stages = Object.values(record.stages)
  .filter((s) => s.job && s.status === 'succeeded')
  .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
for (const stage of stages) {
  const job = scontrol(stage.job.id);
  const manifest = JSON.parse(
    readFileSync(join(cache, 'entries', stage.key.slice(0, 2), stage.key, 'manifest.json'), 'utf8'),
  );
  const submitted = Date.parse(stage.startedAt);
  const seen = submitted + stage.durationMs;
  const computeStart = Date.parse(manifest.timing.startedAt);
  const computeEnd = Date.parse(manifest.timing.finishedAt);
  const jobStart = Date.parse(job.StartTime);
  const first = !firstOfJob.has(stage.job.id);
  firstOfJob.add(stage.job.id);
  rows.push({
    id: stage.id,
    job: stage.job.id,
    compute: computeEnd - computeStart,
    queue: first ? jobStart - Date.parse(job.SubmitTime) : undefined,
    startup: first ? computeStart - jobStart : undefined,
    after: seen - computeEnd,
    total: stage.durationMs - (computeEnd - computeStart),
  });
}
const width = Math.max(...rows.map((r) => r.id.length), 5);
const jobs = new Set(rows.map((r) => r.job));
const submitted = new Set([...jobs].map((id) => id.split('_')[0]));
console.log(
  `run ${record.runId}: ${rows.length} stages computed in ${jobs.size} jobs (${submitted.size} submitted), wall ${seconds(record.durationMs)} s`,
);
const jobWidth = Math.max(...rows.map((r) => r.job.length), 4);
console.log(
  `${'stage'.padEnd(width)}  ${'job'.padEnd(jobWidth)}  compute  queue  startup  after  overhead (s)`,
);
for (const r of rows)
  console.log(
    `${r.id.padEnd(width)}  ${r.job.padEnd(jobWidth)}  ${seconds(r.compute).padStart(7)}  ${seconds(r.queue).padStart(5)}  ${seconds(r.startup).padStart(7)}  ${seconds(r.after).padStart(5)}  ${seconds(r.total).padStart(8)}`,
  );
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pick = (k) => rows.map((r) => r[k]).filter((v) => v !== undefined);
console.log(
  `median: queue ${seconds(median(pick('queue')))}, startup ${seconds(median(pick('startup')))}, after ${seconds(median(pick('after')))}, overhead ${seconds(median(pick('total')))} s per stage; sum of overheads ${seconds(pick('total').reduce((a, b) => a + b, 0))} s`,
);
