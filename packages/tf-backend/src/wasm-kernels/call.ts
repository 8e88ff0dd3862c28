import type { KernelBackend, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import type { Tf } from '../types.ts';

/**
 * Calls another wasm kernel directly on TensorInfos (the way tfjs backends compose kernels), so the
 * intermediates stay off the autograd tape; the caller disposes them with `backend.disposeData`.
 */
export function wasmKernel(tf: Tf, backend: KernelBackend) {
  return (name: string, inputs: NamedTensorInfoMap, attrs: object): TensorInfo => {
    const kernel = tf.getKernel(name, 'wasm');
    if (!kernel) throw new Error(`wasm kernel ${name} is not registered`);
    const out = kernel.kernelFunc({ inputs, backend, attrs: attrs as NamedAttrMap });
    if (Array.isArray(out)) throw new Error(`wasm kernel ${name} returned several outputs`);
    return out;
  };
}
