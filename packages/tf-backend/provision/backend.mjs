// Make the native TensorFlow backend work, verify it by training, else fall back to the wasm backend
// and say why. Records the outcome in <node_modules>/.serx-setup/state.json (read by src/state.ts).
// Used by the repo's scripts/setup.mjs and, as the plugins' `tensorflow` provisioning step
// (src/provision-step.ts), by `serx setup` in an installed study.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { packageDir, statePath, tfjsNodeDir, verifyCommand } from './paths.mjs';
import {
  addonPath,
  ProvisionError,
  probeNative,
  provisionFromWheel,
  TF_WHEEL,
  tryUpstream,
} from './provision-tf.mjs';
import { isQuiet, log, readJson, run, tail, warn, wheelCache, writeJson } from './util.mjs';

const STEP = 'tensorflow';
/** How to retry the native backend (the repo's script, or `serx setup --force tensorflow`). */
let retryCommand = 'serx setup --force tensorflow';

export function readState() {
  return readJson(statePath()) ?? {};
}

export function updateState(patch) {
  writeJson(statePath(), { ...readState(), ...patch, updatedAt: new Date().toISOString() });
}

function addonStamp() {
  try {
    const path = addonPath();
    const stat = statSync(path);
    return `${path}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/** Trains the small Conv2D+LSTM probe in a child process on `backend`. */
export function verifyBackend(backend, steps = 3) {
  const result = run(process.execPath, [...verifyCommand(), '--backend', backend, '--steps', String(steps)], {
    timeoutMs: 300_000,
  });
  const line = result.stdout.trim().split('\n').pop() ?? '';
  if (!result.ok || !line.startsWith('{')) return { ok: false, output: result.output };
  return { ok: true, ...JSON.parse(line) };
}

function describe(report) {
  const losses = report.losses.map((l) => l.toFixed(4));
  return `trained ${losses.length} steps of the Conv2D+LSTM probe (loss ${losses[0]} -> ${losses.at(-1)})`;
}

/** Returns `{ source }` on success; throws ProvisionError (with a hint) when every route failed. */
async function provisionNative(force) {
  if (!tfjsNodeDir()) {
    throw new ProvisionError('@tensorflow/tfjs-node is not installed', 'run npm install');
  }
  if (!force && probeNative().ok) return { source: 'existing' };
  const upstream = await tryUpstream();
  if (upstream.ok && probeNative().ok) return { source: 'upstream' };
  log(
    STEP,
    `upstream install not possible (${upstream.reason ?? 'addon does not load'}); using the PyPI wheel ${TF_WHEEL.name}==${TF_WHEEL.version}`,
  );
  provisionFromWheel();
  const probe = probeNative();
  if (!probe.ok) throw new ProvisionError(`the built addon does not load:\n${tail(probe.output)}`);
  return { source: 'pypi-wheel' };
}

/** A failed native attempt is not retried automatically until the wheel or Node changes. */
function attemptKey() {
  return `${TF_WHEEL.name}==${TF_WHEEL.version} node ${process.version}`;
}

function fallBackToWasm(reason, hint) {
  warn(STEP, `native TensorFlow backend FAILED: ${reason}`);
  warn(STEP, `how to fix: ${hint ?? 'see the message above'}; then run \`${retryCommand}\``);
  warn(STEP, 'falling back to the wasm backend (slower, but trains)');
  const wasm = verifyBackend('wasm');
  if (!wasm.ok) {
    updateState({ backend: undefined, nativeError: reason });
    throw new Error(`the wasm fallback does not train either:\n${tail(wasm.output)}`);
  }
  updateState({
    backend: 'wasm',
    nativeError: `${reason.replace(/\s*\n\s*/g, ' | ').slice(0, 400)} (fix: ${hint ?? 'see the setup output'})`,
    nativeSource: undefined,
    libtensorflowVersion: undefined,
    nativeStamp: undefined,
    nativeAttempt: attemptKey(),
  });
  log(STEP, `wasm backend ok: ${describe(wasm)}`);
}

/** Whether the recorded backend is still valid (read-only; for `setup.mjs --check`). */
export function backendReady() {
  const state = readState();
  if (state.backend === 'tensorflow' && state.nativeStamp && state.nativeStamp === addonStamp()) {
    return { ok: true, detail: `native, libtensorflow ${state.libtensorflowVersion}` };
  }
  if (state.backend === 'wasm') return { ok: true, detail: `wasm fallback (${state.nativeError})` };
  return {
    ok: false,
    detail: state.backend ? 'the native addon changed since it was verified' : 'not set up',
  };
}

export async function ensureBackend({ force = false, retry } = {}) {
  if (retry) retryCommand = retry;
  if (process.env.SERX_SKIP_TF === '1') {
    log(STEP, 'skipped (SERX_SKIP_TF=1)');
    return;
  }
  const state = readState();
  const stamp = addonStamp();
  if (!force && state.backend === 'wasm' && state.nativeAttempt === attemptKey()) {
    log(STEP, `wasm fallback (native failed earlier: ${state.nativeError?.slice(0, 160)}...)`);
    log(STEP, `retry the native backend with \`${retryCommand}\``);
    return;
  }
  if (!force && state.backend === 'tensorflow' && stamp && state.nativeStamp === stamp) {
    log(STEP, `native backend ready (libtensorflow ${state.libtensorflowVersion}, ${state.nativeSource})`);
    buildSerxKernels(force);
    return;
  }
  let source;
  try {
    ({ source } = await provisionNative(force));
  } catch (error) {
    fallBackToWasm(error.message, error.hint ?? `the wheel cache is ${wheelCache} (SERX_WHEEL_CACHE)`);
    return;
  }
  const verified = verifyBackend('tensorflow');
  if (!verified.ok) {
    fallBackToWasm(`the native addon loads but training failed:\n${tail(verified.output)}`);
    return;
  }
  updateState({
    backend: 'tensorflow',
    nativeSource: source,
    libtensorflowVersion: verified.libtensorflowVersion,
    nativeStamp: addonStamp(),
    nativeError: undefined,
    nativeAttempt: undefined,
  });
  log(
    STEP,
    `native backend ok: ${verified.backend}, libtensorflow ${verified.libtensorflowVersion} (${source}); ${describe(verified)}`,
  );
  buildSerxKernels(force);
}

/**
 * serx's own TensorFlow kernels (native/serx-kernels.c, e.g. the fused LSTM recurrence) against this
 * libtensorflow; idempotent, and optional: without them the models use TensorFlow's own kernels.
 */
function buildSerxKernels(force) {
  const result = run(process.execPath, [
    join(packageDir, 'native', 'build.mjs'),
    ...(force ? ['--force'] : []),
    ...(isQuiet() ? ['--quiet'] : []),
  ]);
  for (const line of result.stdout.trim().split('\n').filter(Boolean)) console.log(line);
  if (!result.ok)
    warn(STEP, `serx kernels not built; TensorFlow's own kernels are used:\n${tail(result.output)}`);
}
