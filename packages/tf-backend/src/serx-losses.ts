import type * as tfjs from '@tensorflow/tfjs';
import { nodeBackend, type OpAttr } from './native-op.ts';
import { nativeIntraOpThreads, serxKernelsAvailable } from './serx-kernels.ts';
import type { Tf } from './types.ts';

const REGISTERED = Symbol.for('serx.serxLosses');
type TensorInfo = { shape: number[]; dtype: string; dataId: object };
type KernelArgs = { inputs: Record<string, TensorInfo> };

/**
 * `Σ (a - b)² · mask` (`mask` broadcast over the last axis, e.g. `[batch, frames, 1]` against
 * `[batch, frames, ceps]`; none: every element) as one pass on the native backend with serx's
 * kernels (`SerxSquaredErrorSum`, partial sums in a fixed order); its gradient `g · mask · 2(a - b)`
 * is one pass too, in tfjs' order of operations. Elsewhere the same sum from tfjs ops.
 */
export function maskedSquaredErrorSum(
  tf: Tf,
  a: tfjs.Tensor,
  b: tfjs.Tensor,
  mask?: tfjs.Tensor,
): tfjs.Scalar {
  if (!registerLossKernels(tf)) {
    const squared = tf.squaredDifference(a, b);
    return tf.sum(mask ? tf.mul(squared, mask) : squared) as tfjs.Scalar;
  }
  return tf.engine().runKernel('SerxSquaredErrorSum', { a, b, mask: mask ?? noMask(tf) }, {}) as tfjs.Scalar;
}

/** `Σ |x| · mask` likewise (`SerxAbsSum`); the gradient of |x| is tfjs' `step(x, -1)` (−1 at 0). */
export function maskedAbsSum(tf: Tf, x: tfjs.Tensor, mask?: tfjs.Tensor): tfjs.Scalar {
  if (!registerLossKernels(tf)) {
    const magnitude = tf.abs(x);
    return tf.sum(mask ? tf.mul(magnitude, mask) : magnitude) as tfjs.Scalar;
  }
  return tf.engine().runKernel('SerxAbsSum', { x, mask: mask ?? noMask(tf) }, {}) as tfjs.Scalar;
}

/** An empty mask: every element counts. */
const noMask = (tf: Tf) => tf.tensor1d([], 'float32');

function registerLossKernels(tf: Tf): boolean {
  if (!serxKernelsAvailable(tf)) return false;
  const registry = globalThis as { [REGISTERED]?: boolean };
  if (registry[REGISTERED]) return true;
  registry[REGISTERED] = true;
  const backend = nodeBackend(tf);
  const threads = (): OpAttr[] => [
    { name: 'threads', type: backend.binding.TF_ATTR_INT, value: nativeIntraOpThreads() },
  ];
  const run = (name: string, inputs: unknown[]) =>
    backend.createOutputTensor(
      backend.binding.executeOp(name, threads(), backend.getInputTensorIds(inputs as tfjs.Tensor[]), 1)[0]!,
    );
  tf.registerKernel({
    kernelName: 'SerxSquaredErrorSum',
    backendName: 'tensorflow',
    kernelFunc: ({ inputs }: KernelArgs) =>
      run('SerxSquaredErrorSum', [inputs.a, inputs.b, inputs.mask]) as never,
  } as never);
  tf.registerGradient({
    kernelName: 'SerxSquaredErrorSum',
    inputsToSave: ['a', 'b', 'mask'],
    gradFunc: (dy: tfjs.Tensor | tfjs.Tensor[], saved: tfjs.Tensor[]) => {
      const [a, b, mask] = saved as [tfjs.Tensor, tfjs.Tensor, tfjs.Tensor];
      const grad = () => run('SerxSquaredErrorGrad', [dy, a, b, mask]);
      // d/db of (a - b)² is the negation of d/da; the mask is data
      return { a: grad, b: () => tf.neg(grad()), mask: () => tf.zerosLike(mask) };
    },
  } as never);
  tf.registerKernel({
    kernelName: 'SerxAbsSum',
    backendName: 'tensorflow',
    kernelFunc: ({ inputs }: KernelArgs) => run('SerxAbsSum', [inputs.x, inputs.mask]) as never,
  } as never);
  tf.registerGradient({
    kernelName: 'SerxAbsSum',
    inputsToSave: ['x', 'mask'],
    gradFunc: (dy: tfjs.Tensor | tfjs.Tensor[], saved: tfjs.Tensor[]) => {
      const [x, mask] = saved as [tfjs.Tensor, tfjs.Tensor];
      return { x: () => run('SerxAbsGrad', [dy, x, mask]), mask: () => tf.zerosLike(mask) };
    },
  } as never);
  return true;
}
