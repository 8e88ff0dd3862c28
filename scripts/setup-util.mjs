// Small helpers shared by the setup scripts. Node builtins only: these run before node_modules exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const stateDir = join(repoRoot, 'node_modules', '.serx-setup');
/** The file `@serx/tf-backend` reads (state.ts): which backend setup chose, and why. */
export const statePath = join(stateDir, 'state.json');
export const cacheRoot = process.env.SERX_CACHE_HOME ?? join(homedir(), '.cache', 'serx');
export const wheelCache = process.env.SERX_WHEEL_CACHE ?? join(cacheRoot, 'wheels');

let quiet = false;
export function setQuiet(value) {
  quiet = value;
}

/** One concise progress line: `[serx setup] step: message`. */
export function log(step, message) {
  if (!quiet) console.log(`[serx setup] ${step}: ${message}`);
}

export function warn(step, message) {
  console.error(`[serx setup] ${step}: ${message}`);
}

/**
 * Runs a command synchronously. Output goes to the terminal only when `inherit` is set; otherwise it
 * is captured so a failure can show its tail.
 */
export function run(cmd, args, { cwd = repoRoot, env, timeoutMs, inherit = false } = {}) {
  const started = Date.now();
  const result = spawnSync(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    timeout: timeoutMs,
    stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  const timedOut = result.error?.code === 'ETIMEDOUT';
  return {
    ok: result.status === 0 && !result.error,
    status: result.status,
    stdout: result.stdout ?? '',
    output,
    timedOut,
    error: result.error,
    seconds: (Date.now() - started) / 1000,
  };
}

/** Last `n` lines of a command's output, indented, for failure messages. */
export function tail(output, n = 15) {
  return output
    .trimEnd()
    .split('\n')
    .slice(-n)
    .map((line) => `    ${line}`)
    .join('\n');
}

export function sha256(...parts) {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

export function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Writes via a temp file + rename so a concurrent reader never sees half a file. */
export function writeJson(path, value) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

export function readState() {
  return readJson(statePath) ?? {};
}

export function updateState(patch) {
  writeJson(statePath, { ...readState(), ...patch, updatedAt: new Date().toISOString() });
}

export function which(cmd) {
  const result = run('sh', ['-c', `command -v ${cmd}`]);
  return result.ok ? result.output.trim() : undefined;
}

export function ensureDir(path) {
  if (!existsSync(path)) mkdirSync(path, { recursive: true });
  return path;
}
