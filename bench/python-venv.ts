import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, SerxError } from '@serx/core';

/**
 * The Python of a bench's reference venv, `~/.cache/serx/<name>`: used as it is when `probe` (a
 * Python import line) runs in it, otherwise created and `pip install`ed with what `requirements()`
 * returns (package specs or wheel paths; called only then). One-off; later benches start at once.
 */
export function referencePython(name: string, probe: string, requirements: () => string[]): string {
  const venv = join(homedir(), '.cache', 'serx', name);
  const python = join(venv, 'bin', 'python');
  if (existsSync(python) && spawnSync(python, ['-c', probe]).status === 0) return python;
  const packages = requirements();
  process.stderr.write(`creating ${venv} with ${packages.join(' ')} (one-off, a few minutes)\n`);
  for (const [cmd, args] of [
    ['python3', ['-m', 'venv', venv]],
    [python, ['-m', 'pip', 'install', '--quiet', ...packages]],
  ] as const) {
    const result = spawnSync(cmd, [...args], { stdio: 'inherit' });
    if (result.status !== 0)
      throw new SerxError(
        ErrorCodes.ENVIRONMENT,
        `\`${cmd} ${args.join(' ')}\` failed (exit ${result.status})`,
      );
  }
  return python;
}
