import { SerxError } from '@serx/core';
import type * as tfjs from '@tensorflow/tfjs';
import type { NamedTensor } from './checkpoint.ts';
import type { Tf } from './tf.ts';

/** tfjs Adam's running bias-correction powers β₁ᵗ⁺¹ and β₂ᵗ⁺¹ (private in tfjs, read here). */
interface AdamPowers {
  accBeta1: tfjs.Variable;
  accBeta2: tfjs.Variable;
}

const POWERS = ['accBeta1', 'accBeta2'] as const;

function powersOf(optimizer: tfjs.AdamOptimizer): AdamPowers {
  const o = optimizer as unknown as Partial<AdamPowers>;
  for (const key of POWERS) {
    if (!o[key] || typeof o[key].assign !== 'function')
      throw new SerxError(
        'INTERNAL',
        `tfjs AdamOptimizer has no '${key}' variable: the @tensorflow/tfjs version changed what Adam keeps; update packages/training/src/adam-state.ts`,
      );
  }
  return o as AdamPowers;
}

/**
 * Everything that decides Adam's next step: its iteration count and moments (`getWeights`, in
 * tfjs order) and the bias-correction powers `accBeta1`/`accBeta2`. tfjs's `setWeights` recomputes
 * the powers as `pow(β, t + 1)`, which differs in the last bits from the running product
 * `β·β·…·β` an uninterrupted run holds (float32 rounding at every step): a resumed run then
 * drifts from the uninterrupted one. Saving and restoring the powers themselves makes a resume
 * exact. The returned tensors are new (the caller disposes them) except the moments, which are the
 * optimizer's own variables.
 */
export async function saveAdamState(
  tf: Tf,
  optimizer: tfjs.AdamOptimizer,
): Promise<{ tensors: NamedTensor[]; owned: tfjs.Tensor[] }> {
  const weights = await optimizer.getWeights();
  const powers = powersOf(optimizer);
  const copies = POWERS.map((key) => ({ name: `adam/${key}`, tensor: tf.clone(powers[key]) }));
  // getWeights' first entry is a fresh int32 scalar of the iteration count; the rest are variables
  const owned = [weights[0]!.tensor, ...copies.map((c) => c.tensor)];
  return { tensors: [...weights, ...copies], owned };
}

/** Restores what {@link saveAdamState} saved (then the saved tensors may be disposed). */
export async function restoreAdamState(
  optimizer: tfjs.AdamOptimizer,
  saved: readonly NamedTensor[],
): Promise<void> {
  const powers = powersOf(optimizer);
  const named = new Map(saved.map((t) => [t.name, t.tensor]));
  const values = POWERS.map((key) => named.get(`adam/${key}`));
  if (values.some((v) => v === undefined))
    throw new SerxError('INTERNAL', 'checkpoint: the optimizer state has no Adam bias-correction powers');
  await optimizer.setWeights(saved.filter((t) => !t.name.startsWith('adam/')));
  POWERS.forEach((key, i) => {
    powers[key].assign(values[i] as tfjs.Tensor);
  });
}
