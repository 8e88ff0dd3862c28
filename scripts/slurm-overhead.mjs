#!/usr/bin/env node
// Scheduler overhead of a `serx run --executor slurm` run, per stage, from its run record, the
// published manifests and `scontrol show job` (run it within MinJobAge of the run):
//   node scripts/slurm-overhead.mjs <cache-dir> [<run-id>]
// queue   = Slurm StartTime - SubmitTime (1 s resolution)
// startup = stage start in the job (manifest timing) - job StartTime: node + spec load + cache checks
// after   = run saw the node done - stage end in the job: publish, job exit, polling
// total   = what the run saw (submit to done) - the stage's own compute time
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
const scontrol = (id) => {
  const out = execFileSync('scontrol', ['show', 'job', '-o', id], { encoding: 'utf8' });
  return Object.fromEntries([...out.matchAll(/(\w+)=(\S*)/g)].map((m) => [m[1], m[2]]));
};
const seconds = (ms) => (ms / 1000).toFixed(1);
const rows = [];
for (const stage of Object.values(record.stages)) {
  if (!stage.job) continue;
  const job = scontrol(stage.job.id);
  const manifest = JSON.parse(
    readFileSync(join(cache, 'entries', stage.key.slice(0, 2), stage.key, 'manifest.json'), 'utf8'),
  );
  const submitted = Date.parse(stage.startedAt);
  const seen = submitted + stage.durationMs;
  const computeStart = Date.parse(manifest.timing.startedAt);
  const computeEnd = Date.parse(manifest.timing.finishedAt);
  const jobStart = Date.parse(job.StartTime);
  rows.push({
    id: stage.id,
    job: stage.job.id,
    compute: computeEnd - computeStart,
    queue: jobStart - Date.parse(job.SubmitTime),
    startup: computeStart - jobStart,
    after: seen - computeEnd,
    total: stage.durationMs - (computeEnd - computeStart),
  });
}
const width = Math.max(...rows.map((r) => r.id.length), 5);
console.log(`run ${record.runId}: ${rows.length} jobs, wall ${seconds(record.durationMs)} s`);
console.log(`${'stage'.padEnd(width)}  job   compute  queue  startup  after  overhead (s)`);
for (const r of rows)
  console.log(
    `${r.id.padEnd(width)}  ${r.job.padStart(4)}  ${seconds(r.compute).padStart(7)}  ${seconds(r.queue).padStart(5)}  ${seconds(r.startup).padStart(7)}  ${seconds(r.after).padStart(5)}  ${seconds(r.total).padStart(8)}`,
  );
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pick = (k) => rows.map((r) => r[k]);
console.log(
  `median: queue ${seconds(median(pick('queue')))}, startup ${seconds(median(pick('startup')))}, after ${seconds(median(pick('after')))}, overhead ${seconds(median(pick('total')))} s per stage; sum of overheads ${seconds(pick('total').reduce((a, b) => a + b, 0))} s`,
);
