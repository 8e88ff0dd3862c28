// The repo's Python venv (.venv/, git-ignored) with a pinned MLflow: tests start a real tracking
// server from it and `npm run mlflow` serves one for users. Node builtins only.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log, repoRoot, run, tail } from './setup-util.mjs';
import { systemPython } from './tools-venv.mjs';

export const MLFLOW_VERSION = '3.6.0';
export const venvDir = process.env.SERX_VENV ?? join(repoRoot, '.venv');
export const venvPython = join(venvDir, 'bin', 'python');
const marker = join(venvDir, `.serx-mlflow-${MLFLOW_VERSION}`);
const STEP = 'mlflow venv';

/** Returns `{ python, mlflowVersion }`; throws with a readable message on failure. */
export function ensureMlflowVenv({ force = false } = {}) {
  if (!force && existsSync(marker) && existsSync(venvPython)) {
    log(STEP, `mlflow ${MLFLOW_VERSION} ready (${venvPython})`);
    return { python: venvPython, mlflowVersion: MLFLOW_VERSION };
  }
  if (!existsSync(venvPython)) {
    log(STEP, `creating ${venvDir}`);
    const created = run(systemPython(), ['-m', 'venv', venvDir]);
    if (!created.ok)
      throw new Error(`python3 -m venv failed (install python3-venv):\n${tail(created.output)}`);
  }
  log(STEP, `installing mlflow==${MLFLOW_VERSION} (pip cache: ~/.cache/pip; first time ~1-3 min)`);
  const installed = run(
    venvPython,
    [
      '-m',
      'pip',
      'install',
      '--disable-pip-version-check',
      '--progress-bar',
      'off',
      `mlflow==${MLFLOW_VERSION}`,
    ],
    { timeoutMs: 1_500_000 },
  );
  if (!installed.ok)
    throw new Error(`pip install mlflow==${MLFLOW_VERSION} failed:\n${tail(installed.output)}`);
  const check = run(venvPython, ['-c', 'import mlflow, sys; sys.stdout.write(mlflow.__version__)']);
  if (!check.ok || check.stdout.trim() !== MLFLOW_VERSION) {
    throw new Error(`mlflow does not import from ${venvPython}:\n${tail(check.output)}`);
  }
  writeFileSync(marker, `${MLFLOW_VERSION}\n`);
  log(STEP, `mlflow ${MLFLOW_VERSION} installed (${venvPython})`);
  return { python: venvPython, mlflowVersion: MLFLOW_VERSION };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    ensureMlflowVenv({ force: process.argv.includes('--force') });
  } catch (error) {
    console.error(`[serx setup] ${STEP}: ${error.message}`);
    process.exitCode = 1;
  }
}
