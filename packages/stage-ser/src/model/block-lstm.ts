import { SerxError } from '@serx/core';
import type { Tf } from '@serx/tf-backend';
import type * as tfjs from '@tensorflow/tfjs';

/**
 * TensorFlow's fused LSTM kernels (`BlockLSTMV2`, `BlockLSTMGradV2`: Keras gate layout i, f, c, o,
 * no forget bias added, no peepholes, no cell clip) called through tfjs-node's eager binding. tfjs
 * exposes no public API for ops it does not wrap, so this file is the one place that reaches into
 * the native backend object (`binding`, `getInputTensorIds`, `createOutputTensor`).
 */

interface TensorMetadata {
  id: number;
  shape: number[];
  dtype: number;
}
export interface Binding {
  createTensor(shape: number[], dtype: number, buffer: Int32Array): number;
  deleteTensor(id: number): void;
  executeOp(name: string, attrs: OpAttr[], inputs: number[], numOutputs: number): TensorMetadata[];
  TF_FLOAT: number;
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
  value: number | boolean | string;
}
interface NodeBackend {
  binding: Binding;
  getInputTensorIds(tensors: tfjs.Tensor[]): number[];
  createOutputTensor(metadata: TensorMetadata): tfjs.Tensor;
}

/** True when the active backend is tfjs-node's native TensorFlow. */
export function blockLstmAvailable(tf: Tf): boolean {
  return tf.getBackend() === 'tensorflow';
}

function nodeBackend(tf: Tf): NodeBackend {
  const backend = tf.backend() as unknown as Partial<NodeBackend>;
  if (
    !blockLstmAvailable(tf) ||
    !backend.binding ||
    !backend.getInputTensorIds ||
    !backend.createOutputTensor
  ) {
    throw new SerxError(
      'ENVIRONMENT',
      `the 'block' LSTM needs the native tensorflow backend (active: ${tf.getBackend()})`,
    );
  }
  return backend as NodeBackend;
}

/**
 * Runs a native TensorFlow op on tfjs tensors (outside the tape: wrap it in `tf.customGrad`).
 * `seqLen`, when given, is prepended as the int64 scalar input `seq_len_max`.
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

export const forwardAttrs = (b: Binding): OpAttr[] => [
  { name: 'cell_clip', type: b.TF_ATTR_FLOAT, value: 0 },
  { name: 'use_peephole', type: b.TF_ATTR_BOOL, value: false },
  { name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
];
export const gradAttrs = (b: Binding): OpAttr[] => [
  { name: 'use_peephole', type: b.TF_ATTR_BOOL, value: false },
  { name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT },
];

/** See `lstmSequence`; `x` `[batch, steps, features]`, `pick` `[batch, steps]`. */
export function blockLstmPicked(
  tf: Tf,
  x: tfjs.Tensor3D,
  pick: tfjs.Tensor2D,
  kernel: tfjs.Tensor2D,
  recurrentKernel: tfjs.Tensor2D,
  bias: tfjs.Tensor1D,
): tfjs.Tensor2D {
  const steps = x.shape[1];
  const units = recurrentKernel.shape[0];
  const state = (batch: number) => ({
    zeros: tf.zeros([batch, units]),
    peephole: tf.zeros([units]),
  });
  const run = tf.customGrad((...args: unknown[]) => {
    const [xb, pk, w, b, save] = args as [
      tfjs.Tensor3D,
      tfjs.Tensor2D,
      tfjs.Tensor2D,
      tfjs.Tensor1D,
      tfjs.GradSaveFunc,
    ];
    const batch = xb.shape[0];
    const pickShape = [...pk.shape];
    const xT = tf.transpose(xb, [1, 0, 2]);
    const s = state(batch);
    const outs = executeNative(
      tf,
      'BlockLSTMV2',
      forwardAttrs,
      [xT, s.zeros, s.zeros, w, s.peephole, s.peephole, s.peephole, b],
      7,
      steps,
    );
    const h = outs[6] as tfjs.Tensor3D;
    const pickT = tf.expandDims(tf.transpose(pk), 2);
    save([xT, w, b, pickT, ...outs]);
    return {
      value: tf.sum(tf.mul(h, pickT), 0),
      gradFunc: (dy: tfjs.Tensor | tfjs.Tensor[], saved: tfjs.Tensor[]) => {
        const [sxT, sw, sb, spickT, ...gates] = saved as tfjs.Tensor[];
        const hGrad = tf.mul(tf.expandDims(dy as tfjs.Tensor, 0), spickT as tfjs.Tensor);
        const g = state(batch);
        const grads = executeNative(
          tf,
          'BlockLSTMGradV2',
          gradAttrs,
          [
            sxT as tfjs.Tensor,
            g.zeros,
            g.zeros,
            sw as tfjs.Tensor,
            g.peephole,
            g.peephole,
            g.peephole,
            sb as tfjs.Tensor,
            ...gates,
            tf.zerosLike(hGrad),
            hGrad,
          ],
          8,
          steps,
        );
        return [
          tf.transpose(grads[0] as tfjs.Tensor, [1, 0, 2]),
          tf.zeros(pickShape),
          grads[3] as tfjs.Tensor,
          grads[7] as tfjs.Tensor,
        ];
      },
    };
  });
  return tf.tidy(() => run(x, pick, tf.concat([kernel, recurrentKernel], 0), bias) as tfjs.Tensor2D);
}
