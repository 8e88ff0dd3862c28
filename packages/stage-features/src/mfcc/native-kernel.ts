import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The C frame pipeline (native/mfcc-kernel.c), built at setup by native/build.mjs. */
export interface NativeMfccKernel {
  create(config: NativeKernelConfig): unknown;
  compute(
    handle: unknown,
    samples: Float32Array,
    frames: number,
    firstStart: number,
    out: Float32Array,
  ): void;
}

export interface NativeKernelConfig {
  nfft: number;
  winLength: number;
  hopLength: number;
  numCeps: number;
  removeDcOffset: number;
  useEnergy: number;
  preEmphasisPerFrame: number;
  logDb: number;
  hasTopDb: number;
  preEmphasis: number;
  logFloor: number;
  topDb: number;
  powerScale: number;
  inputScale: number;
  window: Float64Array;
  filterStart: Int32Array;
  filterLength: Int32Array;
  filterWeights: Float64Array;
  /** numFilters × numCeps, j-major: cos(πq(2j+1)/2n) × orthonormal scale × lifter. */
  dct: Float64Array;
}

const addonPath = fileURLToPath(new URL('../../native/build/mfcc-kernel.node', import.meta.url));

/**
 * The kernel's C source: loaded through `require`, not an ESM import, so the stages that use it name
 * it in their `codeDependencies` to put it in their cache key.
 */
export const mfccKernelSource = fileURLToPath(new URL('../../native/mfcc-kernel.c', import.meta.url));
let loaded: NativeMfccKernel | null | undefined;

/**
 * The native kernel, or null when it is not built or `SERX_MFCC_NATIVE=0` asks for the JavaScript
 * pipeline. Both give the same numbers to float rounding (golden tests run on both).
 */
export function nativeMfccKernel(): NativeMfccKernel | null {
  if (loaded !== undefined) return loaded;
  loaded = process.env.SERX_MFCC_NATIVE === '0' ? null : loadAddon();
  return loaded;
}

function loadAddon(): NativeMfccKernel | null {
  try {
    return createRequire(import.meta.url)(addonPath) as NativeMfccKernel;
  } catch {
    return null;
  }
}

/** Which MFCC pipeline runs in this thread: recorded in the features' metadata. */
export function mfccKernelName(): 'native' | 'js' {
  return nativeMfccKernel() ? 'native' : 'js';
}
