// Parsing of Slurm client output recorded from the one-node test cluster (fixtures/slurm/recorded).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSbatch, parseScontrolJob, parseSqueue } from '../../src/run/executors/slurm/slurm-parse.ts';

const recorded = (name: string) =>
  readFileSync(join(import.meta.dirname, '../fixtures/slurm/recorded', name), 'utf8');

describe('Slurm client output', () => {
  it('sbatch --parsable: the id, with or without a cluster name', () => {
    expect(parseSbatch('12\n')).toBe('12');
    expect(parseSbatch('4242;cluster-a\n')).toBe('4242');
    expect(() => parseSbatch('sbatch: error: Batch job submission failed: Invalid account\n')).toThrow(
      /sbatch printed no job id.*Invalid account.*/,
    );
  });

  it("squeue -o '%i|%j|%T|%N|%r': states, nodes, reasons, and a name containing '|'", () => {
    const jobs = parseSqueue(recorded('squeue.txt'));
    expect(jobs.find((j) => j.id === '6')).toEqual({
      id: '6',
      name: 'rec|fail',
      state: 'FAILED',
      nodes: 'vm',
      reason: 'NonZeroExitCode',
    });
    expect(jobs.find((j) => j.id === '9')).toEqual({
      id: '9',
      name: 'rec-pending',
      state: 'PENDING',
      reason: 'Resources',
    });
    expect(jobs.find((j) => j.id === '7')).toEqual({
      id: '7',
      name: 'rec-cancel',
      state: 'CANCELLED',
      nodes: 'vm',
    });
    expect(jobs.map((j) => j.state)).toEqual([
      'CANCELLED',
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
      'FAILED',
      'PENDING',
      'RUNNING',
    ]);
  });

  it('scontrol show job -o: state, reason, exit code and node of finished and pending jobs', () => {
    expect(parseScontrolJob(recorded('scontrol-failed.txt'))).toEqual({
      id: '6',
      name: 'rec|fail',
      state: 'FAILED',
      nodes: 'vm',
      reason: 'NonZeroExitCode',
      exitCode: '3:0',
    });
    expect(parseScontrolJob(recorded('scontrol-cancelled.txt'))).toMatchObject({
      id: '7',
      state: 'CANCELLED',
      exitCode: '0:15',
    });
    expect(parseScontrolJob(recorded('scontrol-timeout.txt'))).toMatchObject({
      id: '8',
      name: 'rec-timeout',
      state: 'TIMEOUT',
      reason: 'TimeLimit',
      exitCode: '143:0', // the wrapped `sleep` got SIGTERM (128+15) at the limit
    });
    const pending = parseScontrolJob(recorded('scontrol-pending.txt'));
    expect(pending).toMatchObject({ id: '9', state: 'PENDING', reason: 'Resources', exitCode: '0:0' });
    expect(pending?.nodes).toBeUndefined();
    expect(parseScontrolJob('slurm_load_jobs error: Invalid job id specified\n')).toBeUndefined();
  });
});
