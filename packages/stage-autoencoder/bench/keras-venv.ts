import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, SerxError } from '@serx/core';

const CACHE = join(homedir(), '.cache', 'serx');
const VENV = join(CACHE, 'keras-venv');
const PYTHON = join(VENV, 'bin', 'python');

/**
 * The Python that runs the Keras side of the benchmarks: a venv holding tensorflow-cpu from the
 * same wheel libtensorflow came from (~/.cache/serx/wheels). Created on first use.
 */
export function kerasPython(): string {
  if (existsSync(PYTHON) && run(PYTHON, ['-c', 'import tensorflow, keras']).status === 0) return PYTHON;
  const wheels = join(CACHE, 'wheels');
  const wheel = existsSync(wheels)
    ? readdirSync(wheels).find((f) => f.startsWith('tensorflow_cpu-') && f.endsWith('.whl'))
    : undefined;
  if (!wheel) {
    throw new SerxError(
      ErrorCodes.ENVIRONMENT,
      `no tensorflow-cpu wheel in ${wheels}; run \`npm run setup\` first`,
    );
  }
  process.stderr.write(`creating ${VENV} with ${wheel} (one-off, a few minutes)\n`);
  for (const [cmd, args] of [
    ['python3', ['-m', 'venv', VENV]],
    [PYTHON, ['-m', 'pip', 'install', '--quiet', join(wheels, wheel)]],
  ] as const) {
    const result = run(cmd, [...args], 'inherit');
    if (result.status !== 0)
      throw new SerxError(
        ErrorCodes.ENVIRONMENT,
        `\`${cmd} ${args.join(' ')}\` failed (exit ${result.status})`,
      );
  }
  return PYTHON;
}

function run(cmd: string, args: string[], stdio: 'pipe' | 'inherit' = 'pipe') {
  return spawnSync(cmd, args, { stdio, encoding: 'utf8' });
}
