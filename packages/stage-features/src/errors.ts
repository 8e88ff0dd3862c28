import { defineErrorCodes } from '@serx/core/stage';

/**
 * Error codes of the features plugin (`features:<CODE>`), registered in serx's catalogue.
 * Bad audio and malformed corpus files use core's generic `INPUT_DATA`, naming the file.
 */
export const FeaturesErrors = defineErrorCodes('features', {
  CORPUS_EMPTY: {
    description:
      'An ingest found no utterances under its root (wrong root or reader, or files not named as the layout says); `optional: true` allows it with a warning',
  },
  LABEL_UNMAPPED: {
    description: 'A corpus label has no entry in the emotion mapping (map it to a class or to `drop`)',
  },
  NORMALISATION: {
    description:
      'features:mfcc normalisation cannot be computed as asked (e.g. statsFrom: train for a corpus with no train rows)',
    exit: 2,
  },
  READER_DUPLICATE: {
    description: 'Two loaded plugins register a corpus reader under the same name',
  },
  READER_INVALID: {
    description: 'A corpus reader broke its own contract (a label outside its declared vocabulary)',
  },
  READER_OPTIONS: {
    description: "features:ingest `options` fail the reader's options schema",
    exit: 2,
  },
  READER_UNKNOWN: {
    description: 'A spec names a corpus reader no loaded plugin registered',
    exit: 2,
  },
  SPLIT_LEAKAGE: {
    description:
      'A speaker of one corpus appears in two partitions (train/validation/test) after a split, or an utterance id twice',
  },
  SPLIT_RULE: {
    description:
      '`rule: paper` for a reader that defines no paper split, or a rule that leaves no training speaker',
    exit: 2,
  },
});
