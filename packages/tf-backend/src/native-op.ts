import { SerxError } from '@serx/core/stage';
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from './types.ts';

/**
 * The part of tfjs-node's native backend that runs TensorFlow ops by name (`binding.executeOp`).
 * tfjs exposes no public API for ops it does not wrap, so this module is the one place that reaches
 * into the backend object (`binding`, `getInputTensorIds`, `createOutputTensor`).
 */
export interface TensorMetadata {
  id: number;
  shape: number[];
  dtype: number;
}
export interface Binding {
  createTensor(shape: number[], dtype: number, buffer: Int32Array | Float32Array): number;
  deleteTensor(id: number): void;
  executeOp(name: string, attrs: OpAttr[], inputs: number[], numOutputs: number): TensorMetadata[];
  TF_FLOAT: number;
  TF_INT32: number;
  TF_INT64: number;
  TF_ATTR_INT: number;
  TF_ATTR_STRING: number;
  TF_ATTR_FLOAT: number;
  TF_ATTR_BOOL: number;
  TF_ATTR_TYPE: number;
}
export interface OpAttr {
  name: string;
  type: number;
  value: number | boolean | string | number[];
}
export interface NodeBackend {
  binding: Binding;
  getInputTensorIds(tensors: tfjs.Tensor[]): number[];
  createOutputTensor(metadata: TensorMetadata): tfjs.Tensor;
}

/** tfjs-node's backend object; an ENVIRONMENT error on any other backend. */
export function nodeBackend(tf: Tf): NodeBackend {
  const backend = tf.backend() as unknown as Partial<NodeBackend>;
  if (
    tf.getBackend() !== 'tensorflow' ||
    !backend.binding ||
    !backend.getInputTensorIds ||
    !backend.createOutputTensor
  ) {
    throw new SerxError(
      'ENVIRONMENT',
      `native TensorFlow ops need the tensorflow backend (active: ${tf.getBackend()})`,
    );
  }
  return backend as NodeBackend;
}

/**
 * Runs a native TensorFlow op on tfjs tensors and returns its outputs as new tfjs tensors (outside
 * the tape: wrap it in `tf.customGrad` or a registered kernel with a gradient). `seqLen`, when given,
 * is prepended as the int64 scalar input `seq_len_max`.
 */
export function executeNative(
  tf: Tf,
  name: string,
  attrs: (b: Binding) => OpAttr[],
  inputs: tfjs.Tensor[],
  outputs: number,
  seqLen?: number,
): tfjs.Tensor[] {
  const backend = nodeBackend(tf);
  const { binding } = backend;
  const lenId =
    seqLen === undefined
      ? undefined
      : binding.createTensor([], binding.TF_INT64, new Int32Array([seqLen, 0]));
  try {
    const ids = [...(lenId === undefined ? [] : [lenId]), ...backend.getInputTensorIds(inputs)];
    return binding.executeOp(name, attrs(binding), ids, outputs).map((m) => backend.createOutputTensor(m));
  } finally {
    if (lenId !== undefined) binding.deleteTensor(lenId);
  }
}

/** `[{ name: 'T', type: float32 }]`, the type attr of most float ops. */
export const floatTypeAttr = (b: Binding): OpAttr[] => [
  { name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
];

/** Attrs of `MatMul`. */
export const matMulAttrs =
  (transposeA: boolean, transposeB: boolean) =>
  (b: Binding): OpAttr[] => [
    { name: 'transpose_a', type: b.TF_ATTR_BOOL, value: transposeA },
    { name: 'transpose_b', type: b.TF_ATTR_BOOL, value: transposeB },
    ...floatTypeAttr(b),
  ];

/** Attrs of `BiasAdd` / `BiasAddGrad` (NHWC: the bias is the last axis). */
export const biasAttrs = (b: Binding): OpAttr[] => [
  ...floatTypeAttr(b),
  { name: 'data_format', type: b.TF_ATTR_STRING, value: 'NHWC' },
];
