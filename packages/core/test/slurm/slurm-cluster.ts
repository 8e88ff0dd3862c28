import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';

export const bin = join(import.meta.dirname, '../../bin/serx.mjs');
export const specs = join(import.meta.dirname, '../fixtures/slurm');

/**
 * Whether a Slurm cluster answers (`bash scripts/slurm-local.sh up`). CI sets SERX_REQUIRE_SLURM=1,
 * so there a missing cluster fails the tests instead of skipping them.
 */
export function slurmUp(): boolean {
  try {
    const states = execFileSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', timeout: 10_000 });
    if (/idle|mixed|allocated|completing/.test(states)) return true;
  } catch {}
  if (process.env.SERX_REQUIRE_SLURM === '1')
    throw new Error('SERX_REQUIRE_SLURM=1 but no Slurm cluster answers: run bash scripts/slurm-local.sh up');
  return false;
}

export interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `serx …`; `onLine` sees each stdout line as it comes. */
export function serx(
  args: string[],
  env: NodeJS.ProcessEnv,
  onLine?: (line: string, child: ChildProcess) => void,
): { child: ChildProcess; done: Promise<Exit> } {
  const child = spawn(process.execPath, [bin, ...args], { cwd: specs, env: { ...process.env, ...env } });
  const done = new Promise<Exit>((resolve) => {
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() as string;
      for (const line of lines) onLine?.(line, child);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

/** Slurm's state of a job (squeue keeps finished jobs for MinJobAge). */
export function jobState(id: string): string {
  return execFileSync('squeue', ['-h', '--states=all', '-j', id, '-o', '%T'], { encoding: 'utf8' }).trim();
}

/** Job id from a `<node>: slurm job <id>` display line. */
export function jobIdOf(stdout: string, node: string): string | undefined {
  return new RegExp(`\\b${node}: slurm job (\\d+)`).exec(stdout)?.[1];
}
