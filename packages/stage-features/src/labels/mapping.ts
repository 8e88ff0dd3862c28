import { SerxError } from '@serx/core';
import { FeaturesErrors } from '../errors.ts';

/** A label's target: a class name or `drop` (the utterance is left out). */
export type ClassTarget = string;
export const DROP = 'drop';

/**
 * Default label → class mapping onto the paper's three classes. The paper's Table 1 (its mapping)
 * is not in the text, so this is an ASSUMPTION, documented in the package README:
 * neutral ← neutral, calm; positive ← happiness/joy, excitement, surprise, pleasant surprise;
 * negative ← anger, sadness, fear, disgust, boredom, frustration. IEMOCAP's `other` and
 * `undecided` (xxx, no annotator majority) are dropped.
 */
export const DEFAULT_MAPPING: Readonly<Record<string, ClassTarget>> = Object.freeze({
  neutral: 'neutral',
  calm: 'neutral',
  happiness: 'positive',
  joy: 'positive',
  excitement: 'positive',
  surprise: 'positive',
  'pleasant-surprise': 'positive',
  anger: 'negative',
  sadness: 'negative',
  fear: 'negative',
  disgust: 'negative',
  boredom: 'negative',
  frustration: 'negative',
  other: DROP,
  undecided: DROP,
});

export interface MappingOptions {
  /** Entries laid over the default (label → class or `drop`). */
  mapping?: Record<string, ClassTarget>;
  /** Start from {@link DEFAULT_MAPPING} (default true); false = only `mapping`. */
  useDefault?: boolean;
}

/** Builds the effective mapping for one corpus. */
export function effectiveMapping(options: MappingOptions = {}): Record<string, ClassTarget> {
  return {
    ...(options.useDefault === false ? {} : DEFAULT_MAPPING),
    ...normaliseKeys(options.mapping ?? {}),
  };
}

/**
 * The class of `label` in `corpus`: a class name, `null` for unlabelled speech, or `drop`.
 * A label with no entry is LABEL_UNMAPPED naming the corpus and the label.
 */
export function mapLabel(
  corpus: string,
  label: string | null,
  mapping: Record<string, ClassTarget>,
): string | null {
  if (label === null) return null;
  const target = mapping[label.toLowerCase()];
  if (target === undefined) {
    throw new SerxError(
      FeaturesErrors.LABEL_UNMAPPED,
      `corpus '${corpus}': label '${label}' has no class in the mapping; add '${label}: <class>' or '${label}: drop' to the split stage's mapping`,
    );
  }
  return target;
}

function normaliseKeys(mapping: Record<string, ClassTarget>): Record<string, ClassTarget> {
  return Object.fromEntries(Object.entries(mapping).map(([k, v]) => [k.toLowerCase(), v]));
}
