/**
 * Classification metrics of the paper (section 3.3): unweighted accuracy (UA, mean per-class
 * recall), weighted accuracy (WA, plain accuracy), macro-F1 and the confusion matrix.
 *
 * Conventions (the same as scikit-learn's `balanced_accuracy_score`, `accuracy_score` and
 * `f1_score(average='macro')`):
 * - `confusion[t][p]` counts utterances of true class `t` predicted as class `p` (rows = truth).
 * - UA averages recall over the classes that occur in the truth; a class with no true utterance
 *   has no recall and is left out (a test partition without `positive` rows does not score 0 on it).
 * - Macro-F1 averages F1 over the classes that occur in the truth or in the predictions; a class
 *   with zero precision and zero recall scores F1 = 0.
 * - Empty input gives NaN for every score.
 */
import { SerxError } from '@serx/core';

export interface ClassificationReport {
  classes: string[];
  /** Rows = true class, columns = predicted class, in `classes` order. */
  confusion: number[][];
  /** Per class: number of true utterances. */
  support: number[];
  /** Per class: recall (NaN when the class has no true utterance). */
  recall: number[];
  /** Per class: precision (NaN when the class is never predicted). */
  precision: number[];
  /** Per class: F1 (0 when precision and recall are both 0 or undefined). */
  f1: number[];
  ua: number;
  wa: number;
  macroF1: number;
  count: number;
}

/** Confusion matrix of class indices in `[0, numClasses)`; rows = truth, columns = prediction. */
export function confusionMatrix(
  truth: ArrayLike<number>,
  pred: ArrayLike<number>,
  numClasses: number,
): number[][] {
  if (truth.length !== pred.length) {
    throw new SerxError(
      'INPUT_DATA',
      `confusionMatrix: ${truth.length} true labels but ${pred.length} predictions`,
    );
  }
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i] as number;
    const p = pred[i] as number;
    if (
      !(t >= 0 && t < numClasses && p >= 0 && p < numClasses && Number.isInteger(t) && Number.isInteger(p))
    ) {
      throw new SerxError(
        'INPUT_DATA',
        `confusionMatrix: label pair (${t}, ${p}) at ${i} is outside [0, ${numClasses})`,
      );
    }
    (m[t] as number[])[p] = ((m[t] as number[])[p] as number) + 1;
  }
  return m;
}

const rowSum = (m: number[][], i: number): number => (m[i] as number[]).reduce((a, b) => a + b, 0);
const colSum = (m: number[][], j: number): number => m.reduce((a, row) => a + (row[j] as number), 0);
const diag = (m: number[][], i: number): number => (m[i] as number[])[i] as number;
const mean = (xs: number[]): number =>
  xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;

/** Unweighted accuracy: mean recall over the classes present in the truth. */
export function unweightedAccuracy(confusion: number[][]): number {
  const recalls: number[] = [];
  for (let i = 0; i < confusion.length; i++) {
    const n = rowSum(confusion, i);
    if (n > 0) recalls.push(diag(confusion, i) / n);
  }
  return mean(recalls);
}

/**
 * UA of each corpus's utterances alone and their mean, so that every corpus counts the same however
 * many utterances it has (model selection on pooled validation sets of very different sizes).
 */
export function uaPerCorpus(
  truth: ArrayLike<number>,
  pred: ArrayLike<number>,
  corpora: readonly string[],
  numClasses: number,
): { byCorpus: { [corpus: string]: number }; mean: number } {
  const byCorpus: { [corpus: string]: number } = {};
  for (const corpus of [...new Set(corpora)].sort()) {
    const mine = corpora.flatMap((c, i) => (c === corpus ? [i] : []));
    byCorpus[corpus] = unweightedAccuracy(
      confusionMatrix(
        mine.map((i) => truth[i] as number),
        mine.map((i) => pred[i] as number),
        numClasses,
      ),
    );
  }
  return { byCorpus, mean: mean(Object.values(byCorpus)) };
}

/** Weighted accuracy: correct / total. */
export function weightedAccuracy(confusion: number[][]): number {
  let correct = 0;
  let total = 0;
  for (let i = 0; i < confusion.length; i++) {
    correct += diag(confusion, i);
    total += rowSum(confusion, i);
  }
  return total === 0 ? Number.NaN : correct / total;
}

/** Macro-F1 over the classes present in the truth or the predictions. */
export function macroF1(confusion: number[][]): number {
  return mean(
    perClass(confusion)
      .filter((c) => c.support > 0 || c.predicted > 0)
      .map((c) => c.f1),
  );
}

function perClass(confusion: number[][]) {
  return confusion.map((_, i) => {
    const support = rowSum(confusion, i);
    const predicted = colSum(confusion, i);
    const tp = diag(confusion, i);
    const recall = support > 0 ? tp / support : Number.NaN;
    const precision = predicted > 0 ? tp / predicted : Number.NaN;
    const f1 = support + predicted > 0 ? (2 * tp) / (support + predicted) : 0;
    return { support, predicted, recall, precision, f1 };
  });
}

/**
 * Every metric at once, from class names. Labels outside `classes` are an `INPUT_DATA` error.
 *
 * @example
 * ```ts
 * const r = classificationReport(['neg', 'neu', 'pos'], ['neg', 'pos', 'pos'], ['neg', 'neu', 'pos']);
 * r.ua; // (1 + 0 + 1) / 3
 * ```
 */
export function classificationReport(
  truth: readonly string[],
  pred: readonly string[],
  classes: readonly string[],
): ClassificationReport {
  const index = new Map(classes.map((c, i) => [c, i]));
  const toIndex = (label: string, what: string, i: number): number => {
    const k = index.get(label);
    if (k === undefined) {
      throw new SerxError(
        'INPUT_DATA',
        `${what} label '${label}' at ${i} is not one of [${classes.join(', ')}]`,
      );
    }
    return k;
  };
  const confusion = confusionMatrix(
    truth.map((l, i) => toIndex(l, 'true', i)),
    pred.map((l, i) => toIndex(l, 'predicted', i)),
    classes.length,
  );
  return reportFromConfusion(confusion, classes);
}

/** Every metric from a confusion matrix (rows = truth) in `classes` order. */
export function reportFromConfusion(confusion: number[][], classes: readonly string[]): ClassificationReport {
  const per = perClass(confusion);
  return {
    classes: [...classes],
    confusion,
    support: per.map((c) => c.support),
    recall: per.map((c) => c.recall),
    precision: per.map((c) => c.precision),
    f1: per.map((c) => c.f1),
    ua: unweightedAccuracy(confusion),
    wa: weightedAccuracy(confusion),
    macroF1: macroF1(confusion),
    count: per.reduce((a, c) => a + c.support, 0),
  };
}
