// The repo's Python venv (.venv/, git-ignored) with a pinned MLflow: tests start a real tracking
// server from it and `npm run mlflow` serves one for users. Node builtins only.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemPython } from '../packages/tf-backend/provision/tools-venv.mjs';
import { log, repoRoot, run, sha256, tail } from './setup-util.mjs';

export const MLFLOW_VERSION = '3.6.0';
export const venvDir = join(repoRoot, '.venv');
export const venvPython = join(venvDir, 'bin', 'python');
const constraints = join(repoRoot, 'scripts', 'mlflow-constraints.txt');
const marker = join(
  venvDir,
  `.serx-mlflow-${MLFLOW_VERSION}-${sha256(readFileSync(constraints)).slice(0, 12)}`,
);
// Imported by `mlflow server --backend-store-uri sqlite:...`: proves the server can start.
const CHECK =
  'import mlflow, mlflow.store.tracking.sqlalchemy_store, sys; sys.stdout.write(mlflow.__version__)';
const STEP = 'mlflow venv';

export function mlflowVenvReady() {
  return existsSync(marker) && existsSync(venvPython);
}

/** Returns `{ python, mlflowVersion }`; throws with a readable message on failure. */
export function ensureMlflowVenv({ force = false } = {}) {
  if (!force && mlflowVenvReady()) {
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
  const pip = (...args) =>
    run(
      venvPython,
      ['-m', 'pip', 'install', '--disable-pip-version-check', '--progress-bar', 'off', ...args],
      {
        timeoutMs: 1_500_000,
      },
    );
  let installed = pip('-c', constraints, `mlflow==${MLFLOW_VERSION}`);
  if (!installed.ok) {
    // The pins are for CPython 3.11 on linux x86_64; elsewhere keep only the one that matters.
    log(STEP, 'the pinned dependency set does not install here; retrying with only SQLAlchemy<2.1 pinned');
    installed = pip(`mlflow==${MLFLOW_VERSION}`, 'sqlalchemy<2.1');
  }
  if (!installed.ok)
    throw new Error(`pip install mlflow==${MLFLOW_VERSION} failed:\n${tail(installed.output)}`);
  const check = run(venvPython, ['-c', CHECK]);
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
