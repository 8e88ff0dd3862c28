import { SerxError, shuffled } from '@serx/core';
import { FeaturesErrors } from '../errors.ts';
import type { Partition, ResolvedRule } from './types.ts';

/**
 * A seeded random share of the (sorted) speakers for validation and test, the rest train.
 * Each non-zero fraction gets at least one speaker; train must keep at least one.
 */
export function speakerFractionRule(
  speakers: readonly string[],
  fractions: { validation?: number; test?: number },
  seed: number,
): ResolvedRule {
  const order = shuffled([...new Set(speakers)].sort(), seed);
  const count = (f = 0) => (f > 0 ? Math.max(1, Math.round(order.length * f)) : 0);
  const nTest = count(fractions.test);
  const nValidation = count(fractions.validation);
  if (nTest + nValidation >= order.length) {
    throw new SerxError(
      FeaturesErrors.SPLIT_RULE,
      `speakerFraction (validation ${fractions.validation ?? 0}, test ${fractions.test ?? 0}) leaves no training speaker among ${order.length}`,
    );
  }
  const bySpeaker = new Map<string, Partition>();
  order.forEach((speaker, i) => {
    bySpeaker.set(speaker, i < nTest ? 'test' : i < nTest + nValidation ? 'validation' : 'train');
  });
  return {
    description: `speakerFraction (validation ${fractions.validation ?? 0}, test ${fractions.test ?? 0}, seed ${seed})`,
    assign: (u) => bySpeaker.get(u.speaker)!,
    allowedShared: [],
  };
}
