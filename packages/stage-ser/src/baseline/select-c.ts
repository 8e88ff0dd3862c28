import { confusionMatrix, uaPerCorpus, unweightedAccuracy } from '../metrics.ts';

/** How validation predictions are scored, named as ser:train's `selection.metric`. */
export type Selection = 'ua_corpus_mean' | 'ua';

export interface Labelled {
  x: Float64Array;
  label: number;
  corpus: string;
}

/** UA of `pred` against the examples' labels: per corpus then averaged, or over the pooled rows. */
export function validationScore(
  examples: readonly Labelled[],
  pred: readonly number[],
  classes: number,
  selection: Selection,
): number {
  const truth = examples.map((e) => e.label);
  if (selection === 'ua') return unweightedAccuracy(confusionMatrix(truth, pred, classes));
  return uaPerCorpus(
    truth,
    pred,
    examples.map((e) => e.corpus),
    classes,
  ).mean;
}

export const argMax = (p: ArrayLike<number>): number => {
  let best = 0;
  for (let k = 1; k < p.length; k++) if ((p[k] as number) > (p[best] as number)) best = k;
  return best;
};

/** A classifier fitted at one C: its class scores (probabilities or decision values) of an example. */
export interface FittedClassifier {
  scores(x: Float64Array): Float64Array;
  iterations: number;
  converged: boolean;
}

export interface CSelection<M extends FittedClassifier> {
  model: M;
  C: number;
  /** Validation score of every C tried, in grid order. */
  scores: { C: number; score: number; iterations: number; converged: boolean }[];
}

/**
 * Fits one model per C on `train` (by `fit`) and keeps the one with the best validation score. The
 * grid is tried in ascending order and only a strictly better score replaces the incumbent, so ties
 * go to the stronger regularisation.
 */
export function selectC<M extends FittedClassifier>(
  validation: readonly Labelled[],
  classes: number,
  options: { grid: readonly number[]; selection: Selection },
  fit: (C: number) => M,
  onFit?: (C: number, score: number) => void,
): CSelection<M> {
  let best: CSelection<M> | null = null;
  const scores: CSelection<M>['scores'] = [];
  for (const C of [...options.grid].sort((a, b) => a - b)) {
    const model = fit(C);
    const pred = validation.map((e) => argMax(model.scores(e.x)));
    const score = validationScore(validation, pred, classes, options.selection);
    scores.push({ C, score, iterations: model.iterations, converged: model.converged });
    onFit?.(C, score);
    if (best === null || score > (best.scores.find((s) => s.C === best?.C)?.score ?? -1)) {
      best = { model, C, scores };
    }
  }
  return best as CSelection<M>;
}
