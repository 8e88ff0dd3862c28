import type { Tfjs as Tf } from '@serx/core';
import type * as tfjs from '@tensorflow/tfjs';
import type { SavedTensor } from './checkpoint.ts';

/** Copies tensors' values out (for checkpoints and the best epoch's weights). */
export function snapshot(tensors: tfjs.Tensor[]): SavedTensor[] {
  return tensors.map((t, i) => ({
    name: String(i),
    shape: [...t.shape],
    dtype: t.dtype === 'int32' ? 'int32' : 'float32',
    data: Float32Array.from(t.dataSync() as ArrayLike<number>),
  }));
}

/** The optimizer's state (Adam: iteration count and moments) as plain data. */
export async function savedOptimizer(optimizer: tfjs.Optimizer): Promise<SavedTensor[]> {
  const named = await optimizer.getWeights();
  const saved = snapshot(named.map((n) => n.tensor));
  return saved.map((s, i) => ({ ...s, name: named[i]?.name ?? s.name }));
}

export function toTensor(tf: Tf, t: SavedTensor): tfjs.Tensor {
  return t.dtype === 'int32'
    ? tf.tensor(Int32Array.from(t.data), t.shape, 'int32')
    : tf.tensor(t.data, t.shape, 'float32');
}

/** Writes saved values into `variables` (same order and shapes). */
export function setWeights(tf: Tf, variables: tfjs.LayerVariable[], saved: SavedTensor[]): void {
  if (saved.length !== variables.length)
    throw new Error(`checkpoint has ${saved.length} weights, the model ${variables.length}`);
  variables.forEach((v, i) => {
    const t = toTensor(tf, saved[i] as SavedTensor);
    v.write(t);
    t.dispose();
  });
}
