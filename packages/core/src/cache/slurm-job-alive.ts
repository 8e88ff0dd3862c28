import { execFileSync } from 'node:child_process';

const FINISHED =
  /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL|PREEMPTED|BOOT_FAIL|DEADLINE|SPECIAL_EXIT|REVOKED)/;
const REMEMBER_MS = 5000;
const answers = new Map<string, { alive: boolean; at: number }>();

/**
 * Whether Slurm job `id` may still be running, asked with `squeue` (answers remembered for a few
 * seconds: lock waiters ask often). False only when Slurm says the job finished or no longer
 * knows it; when Slurm cannot be asked, the job counts as alive (a lock is never broken on a guess).
 */
export function slurmJobAlive(id: string): boolean {
  const known = answers.get(id);
  if (known && Date.now() - known.at < REMEMBER_MS) return known.alive;
  let alive = true;
  try {
    const state = execFileSync('squeue', ['-h', '--states=all', '-j', id, '-o', '%T'], {
      encoding: 'utf8',
      timeout: 15_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
    alive = state !== '' && !FINISHED.test(state);
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    alive = !/Invalid job id/i.test(stderr);
  }
  answers.set(id, { alive, at: Date.now() });
  return alive;
}
