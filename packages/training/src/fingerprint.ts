import { createHash } from 'node:crypto';
import { canonicalJson } from '@serx/core';

/**
 * What a checkpoint holds, versioned: bumped when the saved state changes, so that a checkpoint
 * written by an older kit (e.g. without Adam's exact bias-correction powers) is never resumed.
 */
export const CHECKPOINT_FORMAT = 'serx-checkpoint/2';

/**
 * The checkpoint-resume fingerprint of one training configuration: SHA-256 of the canonical JSON
 * (sorted keys, `undefined` members left out) of everything that decides what the training computes
 * — its params, seed, input hashes, model structure — together with {@link CHECKPOINT_FORMAT}. A
 * checkpoint whose fingerprint differs is ignored (`fit` starts over).
 *
 * @example trainingFingerprint({ params: p, seed: ctx.seed, inputs: artifacts.map((a) => a.hash) })
 */
export function trainingFingerprint(configuration: { [key: string]: unknown }): string {
  return createHash('sha256')
    .update(canonicalJson({ checkpoint: CHECKPOINT_FORMAT, configuration }))
    .digest('hex');
}
