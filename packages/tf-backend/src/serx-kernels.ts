import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { installSerxOps } from './serx-ops.ts';
import type { Tf } from './types.ts';

export { serxKernelsSource } from './kernels-source.ts';

/** The addon native/build.mjs builds at setup (git-ignored). */
const ADDON = fileURLToPath(new URL('../native/build/serx-kernels.node', import.meta.url));
const require = createRequire(import.meta.url);
let loaded: boolean | undefined;

/**
 * Registers serx's own TensorFlow kernels (native/serx-kernels.c: the fused LSTM recurrence,
 * bias + ReLU and its gradient, Adam, one-channel convolutions) in the libtensorflow tfjs-node
 * runs, so that they run through its `binding.executeOp` like any TensorFlow op, and routes tfjs'
 * fused conv2d / matMul and one-channel convolutions to them (see serx-ops.ts). True when they are
 * available: the native backend is active and setup built the addon; `SERX_NATIVE_KERNELS=0`
 * turns them off (TensorFlow's own kernels throughout). `loadTensorflow` calls it; loads once per
 * process.
 */
export function serxKernelsAvailable(tf: Tf): boolean {
  if (process.env.SERX_NATIVE_KERNELS === '0' || tf.getBackend() !== 'tensorflow') return false;
  if (loaded === undefined) {
    loaded = existsSync(ADDON);
    if (loaded) {
      require(ADDON);
      installSerxOps(tf);
    }
  }
  return loaded;
}

/** libtensorflow's intra-op thread count (what `loadTensorflow` applied), for kernels that split work. */
export function nativeIntraOpThreads(): number {
  const n = Number(process.env.TF_NUM_INTRAOP_THREADS);
  return Number.isInteger(n) && n > 0 ? n : 1;
}
