// Helpers of the provisioning scripts (this folder), shared with the repo's scripts/setup*.mjs.
// Node builtins only: they run before node_modules exists (repo) or from an installed
// @serx/tf-backend (`serx setup`), so they are plain JS shipped as they are.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const cacheRoot = process.env.SERX_CACHE_HOME ?? join(homedir(), '.cache', 'serx');
export const wheelCache = process.env.SERX_WHEEL_CACHE ?? join(cacheRoot, 'wheels');

let quiet = false;
export function setQuiet(value) {
  quiet = value;
}
export const isQuiet = () => quiet;

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
export function run(cmd, args, { cwd = process.cwd(), env, timeoutMs, inherit = false } = {}) {
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

export function which(cmd) {
  const result = run('sh', ['-c', `command -v ${cmd}`]);
  return result.ok ? result.output.trim() : undefined;
}

export function ensureDir(path) {
  if (!existsSync(path)) mkdirSync(path, { recursive: true });
  return path;
}
