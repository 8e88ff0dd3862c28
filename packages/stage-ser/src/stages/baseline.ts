import {
  defineStage,
  type InputSpecs,
  paramsSchema,
  type StageContext,
  type StageResult,
} from '@serx/core/stage';
import { FUNCTIONALS, type Functional } from '../baseline/functionals.ts';
import type { LinearModelName } from '../baseline/linear-models.ts';
import type { Selection } from '../baseline/select-c.ts';

export interface BaselineParams {
  /**
   * `majority`: always the most frequent training class; `logistic`: L2 logistic regression,
   * `linear-svm`: linear SVM (scikit-learn's LinearSVC), on per-utterance vectors.
   */
  model: 'majority' | LinearModelName;
  /** How a frame store's rows become vectors; a functionals store's rows are used as they are. */
  functionals: Functional[];
  /** Inverse L2 strengths tried; the one with the best validation score is kept. */
  cGrid: number[];
  classWeights: 'none' | 'balanced';
  /** `ua_corpus_mean`: UA per validation corpus, averaged (a big corpus does not dominate); `ua`: pooled. */
  selection: Selection;
  classes: string[] | null;
  /** Splits predicted; a corpus with none of them (held-out TESS) is predicted whole, as `ser:predict`. */
  splits: string[];
}

const inputs = {
  data: {
    type: 'features',
    many: true,
    fits: true,
    description:
      'split=train rows fit, split=validation rows select C (as ser:train); frame stores or functionals stores',
  },
  features: {
    type: 'features',
    many: true,
    description: 'what to predict (as ser:predict), of the same kind',
  },
} as const satisfies InputSpecs;

/** What the stage's run (baseline-run.ts) receives. */
export type BaselineContext = StageContext<BaselineParams, typeof inputs>;

/**
 * `ser:baseline`: the baselines a CNN-LSTM must beat, trained on the same `train` rows and selected
 * on the same `validation` rows as `ser:train`, written in `ser:predict`'s format (rows with `probs`
 * and `pred`) so `analysis:evaluate` and the report treat them as any other model. A row's vector
 * is the functionals of its frames (MFCCs, LLDs) or, from a functionals store (eGeMAPS from
 * `features:opensmile`), the row itself. The "embedding" of a row is its standardised vector
 * (`logistic`, `svm`) or the class priors (`majority`).
 */
export const baseline = defineStage({
  name: 'ser:baseline',
  version: '1',
  description:
    'majority-class, L2 logistic-regression and linear-SVM baselines on utterance functionals (MFCC or openSMILE), as predictions',
  params: paramsSchema<BaselineParams>({
    type: 'object',
    additionalProperties: false,
    properties: {
      model: { enum: ['majority', 'logistic', 'linear-svm'], default: 'logistic' },
      functionals: {
        type: 'array',
        items: { enum: [...FUNCTIONALS] },
        minItems: 1,
        uniqueItems: true,
        default: [...FUNCTIONALS],
      },
      cGrid: {
        type: 'array',
        items: { type: 'number', exclusiveMinimum: 0 },
        minItems: 1,
        default: [0.001, 0.01, 0.1, 1, 10, 100],
      },
      // balanced by default: the pooled training data is ~60 % negative (issue 11)
      classWeights: { enum: ['none', 'balanced'], default: 'balanced' },
      selection: { enum: ['ua_corpus_mean', 'ua'], default: 'ua_corpus_mean' },
      classes: {
        anyOf: [
          { type: 'null' },
          { type: 'array', items: { type: 'string' }, minItems: 2, uniqueItems: true },
        ],
        default: null,
      },
      splits: { type: 'array', items: { type: 'string' }, minItems: 1, default: ['test'] },
    },
  }),
  inputs,
  outputs: { predictions: { type: 'predictions', description: "ser:predict's format" } },
  resources: { class: 'cpu-heavy' },
  tracked: true,
  // The implementation is imported when the stage runs, not when the plugin loads (start-up).
  run: async (ctx): Promise<StageResult | undefined> => (await import('./baseline-run.ts')).runBaseline(ctx),
});
