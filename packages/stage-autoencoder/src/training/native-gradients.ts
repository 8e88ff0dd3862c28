import type { Tf } from '../structures/registry.ts';

/** The part of tfjs-node's backend this module calls (NodeJSKernelBackend). */
interface NativeBackend {
  binding: { TF_ATTR_TYPE: number; TF_FLOAT: number };
  executeSingleOutput(
    op: string,
    attrs: { name: string; type: number; value: number }[],
    inputs: unknown[],
  ): unknown;
}

const REGISTERED = Symbol.for('serx.nativeReluGrad');

/**
 * tfjs differentiates ReLU as `dy * step(x)`, which tfjs-node runs as six TensorFlow ops
 * (IsNan, Greater, Fill, Select, Select, Mul) over the whole activation tensor: a third of an
 * autoencoder training step. TensorFlow's own `ReluGrad` does it in one pass. On the native
 * backend this registers a kernel calling it and makes it the gradient of `Relu`; on any other
 * backend it does nothing. Idempotent; returns whether the native gradient is in use.
 */
export function useNativeReluGrad(tf: Tf): boolean {
  if (tf.getBackend() !== 'tensorflow') return false;
  const registry = globalThis as { [REGISTERED]?: boolean };
  if (registry[REGISTERED]) return true;
  tf.registerKernel({
    kernelName: 'SerxReluGrad',
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend }) => {
      const native = backend as unknown as NativeBackend;
      const type = { name: 'T', type: native.binding.TF_ATTR_TYPE, value: native.binding.TF_FLOAT };
      return native.executeSingleOutput('ReluGrad', [type], [inputs.dy, inputs.x]) as ReturnType<
        Parameters<Tf['registerKernel']>[0]['kernelFunc']
      >;
    },
  });
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved as [Parameters<Tf['relu']>[0]];
      return {
        x: () =>
          tf.engine().runKernel('SerxReluGrad', { dy: dy as never, x: x as never }) as ReturnType<Tf['relu']>,
      };
    },
  });
  registry[REGISTERED] = true;
  return true;
}
