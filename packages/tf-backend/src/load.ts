import { createRequire } from 'node:module';
import { ErrorCodes, SerxError, threadBudget } from '@serx/core/stage';
import { applyNativeThreads } from './native-threads.ts';
import { serxKernelsAvailable } from './serx-kernels.ts';
import { readSetupState } from './state.ts';
import type { BackendName, LoadedBackend, Tf } from './types.ts';
import { registerWasmTrainingKernels } from './wasm-kernels/index.ts';

export interface LoadOptions {
  /** Intra-op thread budget (default: SERX_THREADS, else all cores). Applied on the first load only. */
  threads?: number;
  /** Accept the pure-JS cpu backend (~100x slower; fine for tests of tiny tensors, not for training). */
  allowCpu?: boolean;
  /** Force a backend; default: SERX_BACKEND, else native with wasm as the fallback. */
  backend?: BackendName;
}

const BACKENDS: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];
const SETUP_HINT =
  'run `npx serx setup` (`--force tensorflow` re-provisions the native backend; in the serx repo: `npm run setup`)';
// CommonJS on purpose: tfjs-node, tfjs and the wasm backend must share one tfjs-core instance.
const require = createRequire(import.meta.url);
const loaded = new Map<BackendName | 'auto', Promise<LoadedBackend>>();
let active: BackendName | undefined;

function environmentError(message: string, cause?: unknown): SerxError {
  return new SerxError(ErrorCodes.ENVIRONMENT, message, { cause });
}

function requestedBackend(options: LoadOptions): BackendName | undefined {
  const value = options.backend ?? process.env.SERX_BACKEND;
  if (value === undefined || value === '') return undefined;
  if (!BACKENDS.includes(value as BackendName)) {
    throw environmentError(`SERX_BACKEND=${value} is not a backend; use one of ${BACKENDS.join(', ')}`);
  }
  return value as BackendName;
}

async function loadNative(threads: number): Promise<LoadedBackend> {
  const intra = applyNativeThreads(threads);
  const tf = require('@tensorflow/tfjs-node') as Tf;
  await tf.setBackend('tensorflow');
  serxKernelsAvailable(tf);
  const binding = (tf.backend() as unknown as { binding: { TF_Version: string } }).binding;
  return {
    tf,
    backend: 'tensorflow',
    tfVersion: tf.version_core,
    libtensorflowVersion: binding.TF_Version,
    threads: intra,
  };
}

async function loadWasm(): Promise<LoadedBackend> {
  const tf = require('@tensorflow/tfjs') as Tf;
  require('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels(tf);
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
  return { tf, backend: 'wasm', tfVersion: tf.version_core, threads: 1 };
}

async function loadCpu(): Promise<LoadedBackend> {
  const tf = require('@tensorflow/tfjs') as Tf;
  await tf.setBackend('cpu');
  return { tf, backend: 'cpu', tfVersion: tf.version_core, threads: 1 };
}

async function loadAuto(threads: number): Promise<LoadedBackend> {
  try {
    return await loadNative(threads);
  } catch (error) {
    const recorded = readSetupState().nativeError;
    const reason =
      recorded ??
      `${(error instanceof Error ? error.message.split('\n')[0]! : String(error)).trim().replace(/\.$/, '')}; to provision it, ${SETUP_HINT}`;
    return { ...(await loadWasm()), fallbackReason: `native TensorFlow unavailable: ${reason}` };
  }
}

async function load(choice: BackendName | undefined, threads: number): Promise<LoadedBackend> {
  try {
    if (choice === 'tensorflow') return await loadNative(threads);
    if (choice === 'wasm') return await loadWasm();
    if (choice === 'cpu') return await loadCpu();
    return await loadAuto(threads);
  } catch (error) {
    throw environmentError(
      `cannot load the ${choice ?? 'native or wasm'} TensorFlow backend; ${SETUP_HINT}`,
      error,
    );
  }
}

/**
 * Loads TensorFlow.js on the best available backend: native libtensorflow (tfjs-node) first, the
 * wasm backend (with serx's extra training kernels) as the fallback; `SERX_BACKEND` or `backend`
 * forces one. tfjs backends are process-global: every call in a process shares the first load, and
 * asking for a different backend afterwards is an ENVIRONMENT error. Use the returned `tf`; never
 * import tfjs yourself (a second tfjs-core instance would not see the backend).
 *
 * @example
 * const { tf, backend } = await loadTensorflow({ threads: 2 });
 */
export async function loadTensorflow(options: LoadOptions = {}): Promise<LoadedBackend> {
  const choice = requestedBackend(options);
  if (choice === 'cpu' && !options.allowCpu) {
    throw environmentError(
      `the pure-JS cpu backend is too slow to train serx models (SERX_BACKEND=cpu); use tensorflow or wasm: ${SETUP_HINT}`,
    );
  }
  const key = choice ?? 'auto';
  let promise = loaded.get(key);
  if (!promise) {
    if (active && choice && choice !== active) {
      throw environmentError(
        `backend ${active} is already active in this process; cannot switch to ${choice}`,
      );
    }
    promise = load(choice, threadBudget(options.threads));
    loaded.set(key, promise);
  }
  const result = await promise;
  active = result.backend;
  return result;
}
