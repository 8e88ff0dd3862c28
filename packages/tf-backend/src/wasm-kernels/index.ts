import type { Tf } from '../types.ts';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.ts';

/** Registers the kernels tfjs-backend-wasm 4.22 lacks for training serx's models. Idempotent. */
export function registerWasmTrainingKernels(tf: Tf): void {
  for (const config of [conv2DBackpropFilterConfig(tf)]) {
    if (!tf.getKernel(config.kernelName, 'wasm')) tf.registerKernel(config);
  }
}
