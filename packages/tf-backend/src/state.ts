import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** What `scripts/setup.mjs` recorded (node_modules/.serx-setup/state.json). */
export interface SetupState {
  /** Backend setup verified: `tensorflow` (native) or `wasm` (native provisioning failed). */
  backend?: 'tensorflow' | 'wasm';
  /** How the native addon was obtained: `existing`, `upstream` or `pypi-wheel`. */
  nativeSource?: string;
  libtensorflowVersion?: string;
  /** Why native provisioning failed, with the fix. */
  nativeError?: string;
  /** Python of the MLflow venv (`.venv/bin/python`). */
  mlflowPython?: string;
  mlflowVersion?: string;
  updatedAt?: string;
}

const require = createRequire(import.meta.url);

export function setupStatePath(): string {
  const tfjsManifest = require.resolve('@tensorflow/tfjs/package.json');
  return join(dirname(dirname(dirname(tfjsManifest))), '.serx-setup', 'state.json');
}

/** The setup state, or `{}` when setup has not run in this checkout. */
export function readSetupState(): SetupState {
  try {
    return JSON.parse(readFileSync(setupStatePath(), 'utf8')) as SetupState;
  } catch {
    return {};
  }
}
