/**
 * How `features:mfcc` normalises each coefficient (`normalise` param):
 * - `utterance`: by the utterance's own frames (the seed paper, §3.3);
 * - `speaker`: by all frames of the utterance's speaker (splits are speaker-independent, so a
 *   validation or test speaker is normalised by its own, unlabelled, data);
 * - `corpus`: by one mean/std per corpus, from where {@link StatsFrom} says;
 * - `none`: raw MFCCs.
 */
export type NormaliseMode = 'utterance' | 'speaker' | 'corpus' | 'none';

/**
 * Where `corpus` normalisation takes its statistics:
 * - `train`: this corpus's train partition (applied to its validation and test rows);
 * - `own`: every utterance of this corpus (an unseen corpus normalised by its own data);
 * - `training-corpora`: the pooled train-partition statistics wired to the `statistics` input.
 */
export type StatsFrom = 'train' | 'own' | 'training-corpora';

/** `true`/`false` are the boolean form the param had before it became a choice. */
export function normaliseMode(param: NormaliseMode | boolean | undefined): NormaliseMode {
  if (param === undefined || param === true) return 'utterance';
  if (param === false) return 'none';
  return param;
}

/** The `normalise` field of a feature store's meta: booleans for the two modes stores always had. */
export function storeMetaValue(mode: NormaliseMode): boolean | NormaliseMode {
  if (mode === 'utterance') return true;
  if (mode === 'none') return false;
  return mode;
}

export const normaliseSchema = {
  default: 'utterance',
  description:
    'utterance (paper) | speaker | corpus | none (true = utterance, false = none): z-normalisation statistics per utterance, per speaker, per corpus (see statsFrom) or none',
  oneOf: [{ enum: ['utterance', 'speaker', 'corpus', 'none'] }, { type: 'boolean' }],
} as const;

export const statsFromSchema = {
  enum: ['train', 'own', 'training-corpora'],
  default: 'train',
  description:
    "normalise: corpus only — 'train' (this corpus's train partition), 'own' (all of this corpus: for an unseen corpus), 'training-corpora' (pooled statistics input)",
} as const;
