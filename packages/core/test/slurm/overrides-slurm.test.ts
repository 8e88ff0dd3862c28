// Command-line overrides reach the Slurm jobs (`serx exec-node` loads the spec again): on a real
// one-node cluster, a job that did not see them would compute another key and fail.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { executions, tempDir } from '../run/helpers.ts';
import { serx, slurmUp } from './slurm-cluster.ts';

describe.skipIf(!slurmUp())('--executor slurm with overrides', () => {
  it('passes the overrides on to each job, which computes the overridden key', async () => {
    const dir = await tempDir('serx-slurm-overrides-');
    const markers = join(dir, 'm');
    const env = { SERX_TEST_MARKERS: markers, SERX_CACHE: join(dir, 'cache') };
    const args = ['chain.yaml', '--set', 'ab.add=-5', '--set=stages.total~', '--executor', 'slurm'];
    const run = await serx(['run', ...args, '--json'], env).done;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.at(-1)).toMatchObject({ type: 'run-end', summary: { status: 'succeeded' } });
    expect(await executions(markers)).toEqual({ a: 1, b: 1, ab: 1 });
    // in process, the same overrides find every entry the jobs published
    const again = await serx(['plan', ...args.slice(0, 4), '--json'], env).done;
    expect(JSON.parse(again.stdout).counts).toEqual({ hit: 3, miss: 0, pending: 0 });
  }, 180_000);
});
