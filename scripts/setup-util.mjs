// Small helpers shared by the setup scripts. Node builtins only: these run before node_modules exists.
// The generic ones live with the TensorFlow provisioning in @serx/tf-backend (also `serx setup`).
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJson, run as runIn, writeJson } from '../packages/tf-backend/provision/util.mjs';

export {
  cacheRoot,
  ensureDir,
  log,
  readJson,
  setQuiet,
  tail,
  warn,
  wheelCache,
  which,
  writeJson,
} from '../packages/tf-backend/provision/util.mjs';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const stateDir = join(repoRoot, 'node_modules', '.serx-setup');
/** The file `@serx/tf-backend` reads (state.ts): which backend setup chose, and why. */
export const statePath = join(stateDir, 'state.json');

/** Runs a command (see util.mjs), by default in the repo root. */
export function run(cmd, args, options = {}) {
  return runIn(cmd, args, { cwd: repoRoot, ...options });
}

export function sha256(...parts) {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

export function readState() {
  return readJson(statePath) ?? {};
}

export function updateState(patch) {
  writeJson(statePath, { ...readState(), ...patch, updatedAt: new Date().toISOString() });
}
