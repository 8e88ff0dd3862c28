import type * as tfjs from '@tensorflow/tfjs';
import {
  type Binding,
  biasAttrs,
  floatTypeAttr,
  matMulAttrs,
  type NodeBackend,
  nodeBackend,
  type OpAttr,
  type TensorMetadata,
} from './native-op.ts';
import { nativeIntraOpThreads } from './serx-kernels.ts';
import type { Tf } from './types.ts';

/**
 * What serx's kernels replace in tfjs on the native backend (installed once per process by
 * `serxKernelsAvailable`):
 *
 * - `tf.fused.conv2d` / `tf.fused.matMul` (what tfjs-layers' Conv2D and Dense call) with a bias and a
 *   ReLU or linear activation: tfjs runs them unfused while recording gradients (conv or matmul, an
 *   `Add` over the whole output, a `Relu`; backward `ReluGrad`, a `Sum` for the bias, the two
 *   products). Here: the product, then `SerxBiasRelu` (add and ReLU in one pass, the same bits);
 *   backward `SerxReluBiasGrad` (ReLU gradient and bias gradient in one pass), the products only
 *   for the inputs that need them. Other activations, transposes, prelu: tfjs' own.
 * - `Conv2DBackpropInput` to one channel (a transposed convolution's forward pass, e.g. an
 *   autoencoder's last layer, or the input gradient of a conv from one channel), which oneDNN
 *   runs ~15× below its speed on many channels: `SerxConvOut1` (~3× faster).
 *
 * Gradients equal tfjs' to float rounding (sums in another order); forward values of the fused ops
 * are bit-identical.
 */
const INSTALLED = Symbol.for('serx.serxOps');

type TensorInfo = { shape: number[]; dtype: string; dataId: object };
type KernelArgs = { inputs: Record<string, TensorInfo>; backend: unknown; attrs?: Record<string, unknown> };
type Activation = 'linear' | 'relu';

/** The fields of tfjs-layers' Conv2DTranspose that its `call` reads. */
interface ConvTransposeLayer {
  activation?: { getClassName?(): string };
  kernel?: { read(): tfjs.Tensor };
  bias?: { read(): tfjs.Tensor } | null;
  dataFormat: string;
  padding: string;
  filters: number;
  strides: [number, number];
  kernelSize: [number, number];
}

/** tfjs-layers' deconvLength (the output length of a transposed convolution, no output padding). */
function deconvLength(length: number, stride: number, kernel: number, padding: string): number {
  return padding === 'valid' ? length * stride + Math.max(kernel - stride, 0) : length * stride;
}

interface ConvGeometry {
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  padType: string;
  outH: number;
  outW: number;
}

export function installSerxOps(tf: Tf): void {
  const registry = globalThis as { [INSTALLED]?: boolean };
  if (registry[INSTALLED]) return;
  registry[INSTALLED] = true;
  const backend = nodeBackend(tf);
  // constants only: calls go through backend.binding at each call (profilers wrap it)
  const binding: Binding = backend.binding;
  const threads = (b: Binding): OpAttr => ({
    name: 'threads',
    type: b.TF_ATTR_INT,
    value: nativeIntraOpThreads(),
  });
  const ids = (tensors: TensorInfo[]) => backend.getInputTensorIds(tensors as unknown as tfjs.Tensor[]);
  const run = (name: string, attrs: OpAttr[], inputs: number[], outputs = 1) =>
    backend.binding.executeOp(name, attrs, inputs, outputs);
  const wrap = (m: TensorMetadata) => backend.createOutputTensor(m);
  const int = (name: string, value: number): OpAttr => ({ name, type: binding.TF_ATTR_INT, value });
  const convAttrs = (g: ConvGeometry): OpAttr[] => [
    threads(binding),
    int('stride_h', g.strideH),
    int('stride_w', g.strideW),
    int('pad_top', g.padTop),
    int('pad_left', g.padLeft),
  ];
  const tfConvAttrs = (g: ConvGeometry): OpAttr[] => [
    ...floatTypeAttr(binding),
    { name: 'strides', type: binding.TF_ATTR_INT, value: [1, g.strideH, g.strideW, 1] },
    { name: 'padding', type: binding.TF_ATTR_STRING, value: g.padType },
    { name: 'data_format', type: binding.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'use_cudnn_on_gpu', type: binding.TF_ATTR_BOOL, value: true },
    { name: 'dilations', type: binding.TF_ATTR_INT, value: [1, 1, 1, 1] },
  ];
  const shapeTensor = (shape: number[]) =>
    backend.binding.createTensor([4], binding.TF_INT32, Int32Array.from(shape));
  const geometry = (
    xShape: number[],
    filterShape: number[],
    strides: unknown,
    pad: unknown,
  ): ConvGeometry => {
    const info = tf.backend_util.computeConv2DInfo(
      xShape as [number, number, number, number],
      filterShape as [number, number, number, number],
      strides as [number, number],
      1,
      pad as 'same',
    );
    return {
      strideH: info.strideHeight,
      strideW: info.strideWidth,
      padTop: info.padInfo.top,
      padLeft: info.padInfo.left,
      padType: info.padInfo.type,
      outH: info.outHeight,
      outW: info.outWidth,
    };
  };
  /** conv2d forward (TensorFlow's Conv2D), as a native result. */
  const conv = (x: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorMetadata =>
    run('Conv2D', tfConvAttrs(g), ids([x, filter]))[0] as TensorMetadata;
  const convFilterGrad = (x: TensorInfo, dy: TensorInfo, filterShape: number[], g: ConvGeometry) => {
    const sizes = shapeTensor(filterShape);
    try {
      const [x0, dy0] = ids([x, dy]);
      return run('Conv2DBackpropFilter', tfConvAttrs(g), [
        x0 as number,
        sizes,
        dy0 as number,
      ])[0] as TensorMetadata;
    } finally {
      backend.binding.deleteTensor(sizes);
    }
  };
  /** conv2d's input gradient: SerxConvOut1 to one channel, else TensorFlow's Conv2DBackpropInput. */
  const convInputGrad = (xShape: number[], filter: TensorInfo, dy: TensorInfo, g: ConvGeometry) => {
    if (xShape[3] === 1)
      return run(
        'SerxConvOut1',
        [...convAttrs(g), int('out_h', xShape[1] as number), int('out_w', xShape[2] as number)],
        ids([dy, filter]),
      )[0] as TensorMetadata;
    const sizes = shapeTensor(xShape);
    try {
      const [f0, dy0] = ids([filter, dy]);
      return run('Conv2DBackpropInput', tfConvAttrs(g), [
        sizes,
        f0 as number,
        dy0 as number,
      ])[0] as TensorMetadata;
    } finally {
      backend.binding.deleteTensor(sizes);
    }
  };
  /** bias and activation on a native result (the input id is released). */
  const biasActivation = (y: TensorMetadata, bias: TensorInfo | undefined, activation: Activation) => {
    if (!bias && activation === 'linear') return y;
    try {
      const input = [y.id, ...(bias ? ids([bias]) : [])];
      if (bias && activation === 'relu')
        return run('SerxBiasRelu', [threads(binding)], input)[0] as TensorMetadata;
      if (bias) return run('BiasAdd', biasAttrs(binding), input)[0] as TensorMetadata;
      return run('Relu', floatTypeAttr(binding), input)[0] as TensorMetadata;
    } finally {
      backend.binding.deleteTensor(y.id);
    }
  };
  /** dy through the activation, and the bias gradient (tfjs tensors). */
  const activationGrad = (dy: tfjs.Tensor, y: tfjs.Tensor, hasBias: boolean, activation: Activation) => {
    if (activation === 'relu' && hasBias) {
      const [d, db] = run('SerxReluBiasGrad', [threads(binding)], ids([dy, y] as never), 2).map(wrap);
      return { d: d as tfjs.Tensor, db };
    }
    const d =
      activation === 'relu' ? wrap(run('ReluGrad', floatTypeAttr(binding), ids([dy, y] as never))[0]!) : dy;
    const db = hasBias ? wrap(run('SerxBiasGrad', [threads(binding)], ids([d] as never))[0]!) : undefined;
    return { d, db };
  };

  // --- fused conv2d + bias + activation
  tf.registerKernel({
    kernelName: 'SerxConv2DBiasAct',
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, attrs }: KernelArgs) => {
      const { x, filter, bias } = inputs as { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo };
      const g = geometry(x.shape, filter.shape, attrs?.strides, attrs?.pad);
      return wrap(biasActivation(conv(x, filter, g), bias, attrs?.activation as Activation)) as never;
    },
  } as never);
  tf.registerGradient({
    kernelName: 'SerxConv2DBiasAct',
    inputsToSave: ['x', 'filter'],
    outputsToSave: [true],
    gradFunc: (dy: tfjs.Tensor | tfjs.Tensor[], saved: tfjs.Tensor[], attrs: Record<string, unknown>) => {
      const [x, filter, y] = saved as [tfjs.Tensor4D, tfjs.Tensor4D, tfjs.Tensor4D];
      const g = geometry(x.shape, filter.shape, attrs.strides, attrs.pad);
      const { d, db } = activationGrad(
        dy as tfjs.Tensor,
        y,
        attrs.hasBias === true,
        attrs.activation as Activation,
      );
      const grads: Record<string, () => tfjs.Tensor> = {
        x: () => wrap(convInputGrad(x.shape, filter as never, d as never, g)),
        filter: () => wrap(convFilterGrad(x as never, d as never, filter.shape, g)),
      };
      if (db) grads.bias = () => db;
      return grads;
    },
  } as never);

  // --- fused matMul + bias + activation (2-D, no transposes)
  tf.registerKernel({
    kernelName: 'SerxMatMulBiasAct',
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, attrs }: KernelArgs) => {
      const { a, b, bias } = inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo };
      const y = run('MatMul', matMulAttrs(false, false)(binding), ids([a, b]))[0] as TensorMetadata;
      return wrap(biasActivation(y, bias, attrs?.activation as Activation)) as never;
    },
  } as never);
  tf.registerGradient({
    kernelName: 'SerxMatMulBiasAct',
    inputsToSave: ['a', 'b'],
    outputsToSave: [true],
    gradFunc: (dy: tfjs.Tensor | tfjs.Tensor[], saved: tfjs.Tensor[], attrs: Record<string, unknown>) => {
      const [a, b, y] = saved as [tfjs.Tensor2D, tfjs.Tensor2D, tfjs.Tensor2D];
      const { d, db } = activationGrad(
        dy as tfjs.Tensor,
        y,
        attrs.hasBias === true,
        attrs.activation as Activation,
      );
      const grads: Record<string, () => tfjs.Tensor> = {
        a: () => wrap(run('MatMul', matMulAttrs(false, true)(binding), ids([d, b] as never))[0]!),
        b: () => wrap(run('MatMul', matMulAttrs(true, false)(binding), ids([a, d] as never))[0]!),
      };
      if (db) grads.bias = () => db;
      return grads;
    },
  } as never);

  const fused = tf.fused as unknown as Record<string, (args: Record<string, unknown>) => tfjs.Tensor>;
  const originalConv2d = fused.conv2d as (args: Record<string, unknown>) => tfjs.Tensor;
  const originalMatMul = fused.matMul as (args: Record<string, unknown>) => tfjs.Tensor;
  const plainActivation = (args: Record<string, unknown>): Activation | null => {
    const activation = (args.activation ?? 'linear') as string;
    if (args.preluActivationWeights != null || args.leakyreluAlpha != null) return null;
    return activation === 'relu' || activation === 'linear' ? activation : null;
  };
  const floatTensor = (t: unknown, rank: number) =>
    t instanceof tf.Tensor && t.dtype === 'float32' && t.rank === rank;
  const usableBias = (bias: unknown, channels: number) =>
    bias == null || (floatTensor(bias, 1) && (bias as tfjs.Tensor).shape[0] === channels);

  fused.conv2d = (args) => {
    const activation = plainActivation(args);
    const { x, filter, bias, strides, pad } = args as {
      x: tfjs.Tensor;
      filter: tfjs.Tensor;
      bias?: tfjs.Tensor;
      strides: unknown;
      pad: unknown;
    };
    const dilations = args.dilations ?? [1, 1];
    if (
      activation === null ||
      !floatTensor(x, 4) ||
      !floatTensor(filter, 4) ||
      (args.dataFormat ?? 'NHWC') !== 'NHWC' ||
      args.dimRoundingMode != null ||
      (pad !== 'same' && pad !== 'valid') ||
      !(dilations === 1 || (Array.isArray(dilations) && dilations.every((d) => d === 1))) ||
      x.shape[3] !== filter.shape[2] ||
      !usableBias(bias, filter.shape[3] as number)
    )
      return originalConv2d(args);
    return tf.engine().runKernel('SerxConv2DBiasAct', bias ? { x, filter, bias } : { x, filter }, {
      strides,
      pad,
      activation,
      hasBias: bias != null,
    } as never) as tfjs.Tensor;
  };
  fused.matMul = (args) => {
    const activation = plainActivation(args);
    const { a, b, bias } = args as { a: tfjs.Tensor; b: tfjs.Tensor; bias?: tfjs.Tensor };
    if (
      activation === null ||
      args.transposeA === true ||
      args.transposeB === true ||
      !floatTensor(a, 2) ||
      !floatTensor(b, 2) ||
      a.shape[1] !== b.shape[0] ||
      !usableBias(bias, b.shape[1] as number)
    )
      return originalMatMul(args);
    return tf.engine().runKernel('SerxMatMulBiasAct', bias ? { a, b, bias } : { a, b }, {
      activation,
      hasBias: bias != null,
    } as never) as tfjs.Tensor;
  };

  // --- transposed conv2d + bias + activation: tfjs-layers' Conv2DTranspose runs conv2dTranspose,
  // an Add and the activation as three ops (and three backward); here one kernel like the above.
  tf.registerKernel({
    kernelName: 'SerxConv2DTransposeBiasAct',
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, attrs }: KernelArgs) => {
      const { dy, filter, bias } = inputs as { dy: TensorInfo; filter: TensorInfo; bias?: TensorInfo };
      const outShape = attrs?.outputShape as number[];
      const g = geometry(outShape, filter.shape, attrs?.strides, attrs?.pad);
      return wrap(
        biasActivation(convInputGrad(outShape, filter, dy, g), bias, attrs?.activation as Activation),
      ) as never;
    },
  } as never);
  tf.registerGradient({
    kernelName: 'SerxConv2DTransposeBiasAct',
    inputsToSave: ['dy', 'filter'],
    outputsToSave: [true],
    gradFunc: (dz: tfjs.Tensor | tfjs.Tensor[], saved: tfjs.Tensor[], attrs: Record<string, unknown>) => {
      const [dy, filter, y] = saved as [tfjs.Tensor4D, tfjs.Tensor4D, tfjs.Tensor4D];
      const outShape = attrs.outputShape as number[];
      const g = geometry(outShape, filter.shape, attrs.strides, attrs.pad);
      const { d, db } = activationGrad(
        dz as tfjs.Tensor,
        y,
        attrs.hasBias === true,
        attrs.activation as Activation,
      );
      const grads: Record<string, () => tfjs.Tensor> = {
        dy: () => wrap(conv(d as never, filter as never, g)),
        filter: () => wrap(convFilterGrad(d as never, dy as never, filter.shape, g)),
      };
      if (db) grads.bias = () => db;
      return grads;
    },
  } as never);
  const probe = tf.layers.conv2dTranspose({ filters: 1, kernelSize: 1 });
  const transposeProto = Object.getPrototypeOf(probe) as { call: (...a: unknown[]) => tfjs.Tensor };
  const transposeCall = transposeProto.call;
  transposeProto.call = function (this: ConvTransposeLayer, inputs: unknown, kwargs: unknown) {
    const input = (Array.isArray(inputs) ? inputs[0] : inputs) as tfjs.Tensor;
    const activation = this.activation?.getClassName?.().toLowerCase();
    const kernel = this.kernel?.read();
    if (
      !(input instanceof tf.Tensor) ||
      input.rank !== 4 ||
      input.dtype !== 'float32' ||
      this.dataFormat !== 'channelsLast' ||
      (activation !== 'relu' && activation !== 'linear') ||
      (this.padding !== 'same' && this.padding !== 'valid') ||
      !kernel
    )
      return transposeCall.call(this, inputs, kwargs);
    const [batch, height, width] = input.shape as number[];
    const outputShape = [
      batch,
      deconvLength(height as number, this.strides[0], this.kernelSize[0], this.padding),
      deconvLength(width as number, this.strides[1], this.kernelSize[1], this.padding),
      this.filters,
    ];
    const bias = this.bias?.read();
    return tf
      .engine()
      .runKernel(
        'SerxConv2DTransposeBiasAct',
        bias ? { dy: input, filter: kernel, bias } : { dy: input, filter: kernel },
        { outputShape, strides: this.strides, pad: this.padding, activation, hasBias: bias != null } as never,
      ) as tfjs.Tensor;
  };

  // --- tfjs' own transposed convolution (conv2d's input gradient) to one channel: serx's kernel
  const override = (kernelName: string, serx: (args: KernelArgs) => tfjs.Tensor | null) => {
    const original = tf.getKernel(kernelName, 'tensorflow');
    if (!original) return;
    tf.unregisterKernel(kernelName, 'tensorflow');
    tf.registerKernel({
      ...original,
      kernelFunc: (args: KernelArgs) =>
        (serx(args) ?? (original.kernelFunc as (a: KernelArgs) => unknown)(args)) as never,
    } as never);
  };
  const plainConv = (attrs: Record<string, unknown> | undefined) => {
    const dilations = attrs?.dilations ?? [1, 1];
    return (
      (attrs?.dataFormat ?? 'NHWC') === 'NHWC' &&
      attrs?.dimRoundingMode == null &&
      (attrs?.pad === 'same' || attrs?.pad === 'valid') &&
      (dilations === 1 || (Array.isArray(dilations) && dilations.every((d) => d === 1)))
    );
  };
  override('Conv2DBackpropInput', ({ inputs, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const inputShape = attrs?.inputShape as number[];
    if (inputShape?.[3] !== 1 || dy.dtype !== 'float32' || !plainConv(attrs)) return null;
    return wrap(
      convInputGrad(inputShape, filter, dy, geometry(inputShape, filter.shape, attrs?.strides, attrs?.pad)),
    );
  });
}

export type { NodeBackend };
