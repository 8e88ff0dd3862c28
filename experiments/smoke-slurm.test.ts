// The smoke experiment through `--executor slurm` on a real Slurm cluster (CI: scripts/slurm-local.sh
// up) gives the same cache keys and output content hashes as in process, in the three job groups
// smoke.yaml declares (features, train, analysis).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const serxBin = join(root, 'packages/core/bin/serx.mjs');

function slurmUp(): boolean {
  try {
    if (/idle|mixed|allocated/.test(execFileSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' })))
      return true;
  } catch {}
  if (process.env.SERX_REQUIRE_SLURM === '1')
    throw new Error('SERX_REQUIRE_SLURM=1 but no Slurm cluster answers: run bash scripts/slurm-local.sh up');
  return false;
}

interface StageRecord {
  id: string;
  status: string;
  key?: string;
  outputs?: { [name: string]: string };
  job?: { executor: string; id: string; nodes?: string; group?: string };
}

/** Runs the smoke spec (asynchronously: a long synchronous child would stall vitest's worker). */
async function run(executor: string, cache: string): Promise<{ [id: string]: StageRecord }> {
  const child = spawn(process.execPath, [serxBin, 'run', 'experiments/smoke.yaml', '--executor', executor], {
    cwd: root,
    env: { ...process.env, SERX_CACHE: cache, MLFLOW_TRACKING_URI: '' },
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    out += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code, out).toBe(0);
  const record = /record (\S+\.json)/.exec(out)?.[1] as string;
  return JSON.parse(readFileSync(record, 'utf8')).stages;
}

describe.skipIf(!slurmUp())('experiments/smoke.yaml on Slurm', () => {
  it('computes every node in its group job with the same keys and output hashes as in process', async () => {
    const work = mkdtempSync(join(tmpdir(), 'serx-smoke-slurm-'));
    const local = await run('in-process', join(work, 'local'));
    const slurm = await run('slurm', join(work, 'slurm'));
    const view = (stages: { [id: string]: StageRecord }) =>
      Object.values(stages).map((s) => ({ id: s.id, status: s.status, key: s.key, outputs: s.outputs }));
    expect(view(slurm)).toEqual(view(local));
    const jobs = Object.values(slurm).map((s) => s.job);
    expect(jobs.every((j) => j?.executor === 'slurm')).toBe(true);
    expect(new Set(jobs.map((j) => j?.group))).toEqual(new Set(['features', 'train', 'analysis']));
    const ids = [...new Set(jobs.map((j) => j?.id as string))];
    expect(ids).toHaveLength(3);
    const states = execFileSync('squeue', ['-h', '--states=all', '-j', ids.join(','), '-o', '%T'], {
      encoding: 'utf8',
    });
    expect(new Set(states.trim().split('\n'))).toEqual(new Set(['COMPLETED']));
  });
});
