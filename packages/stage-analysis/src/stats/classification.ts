/**
 * Classification metrics over class indices. UA (unweighted accuracy) is the mean per-class recall
 * — the paper's metric; WA (weighted accuracy) is plain accuracy. Conventions as scikit-learn and
 * @serx/stage-ser's metrics: a class with no true examples is left out of UA (its recall is
 * undefined; listed in `absentClasses`); macro-F1 averages over classes present in the truth or the
 * predictions.
 */
export interface ClassificationMetrics {
  n: number;
  ua: number;
  wa: number;
  macroF1: number;
  /** Recall per class (null when the class has no true examples). */
  recall: (number | null)[];
  precision: (number | null)[];
  /** F1 per class (null when the class is neither true nor predicted anywhere). */
  f1: (number | null)[];
  /** confusion[true][pred] counts. */
  confusion: number[][];
  absentClasses: number[];
}

export function confusionMatrix(
  truth: ArrayLike<number>,
  pred: ArrayLike<number>,
  numClasses: number,
): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]!]![pred[i]!]! += 1;
  return m;
}

/** UA alone, allocation-light: used inside bootstrap and permutation loops. */
export function unweightedAccuracy(
  truth: ArrayLike<number>,
  pred: ArrayLike<number>,
  numClasses: number,
  index?: ArrayLike<number>,
): number {
  const hits = new Float64Array(numClasses);
  const totals = new Float64Array(numClasses);
  const n = index ? index.length : truth.length;
  for (let k = 0; k < n; k++) {
    const i = index ? index[k]! : k;
    const t = truth[i]!;
    totals[t]! += 1;
    if (pred[i] === t) hits[t]! += 1;
  }
  let sum = 0;
  let present = 0;
  for (let c = 0; c < numClasses; c++) {
    if (totals[c]! > 0) {
      sum += hits[c]! / totals[c]!;
      present++;
    }
  }
  return present === 0 ? Number.NaN : sum / present;
}

export function classificationMetrics(
  truth: ArrayLike<number>,
  pred: ArrayLike<number>,
  numClasses: number,
): ClassificationMetrics {
  const confusion = confusionMatrix(truth, pred, numClasses);
  const recall: (number | null)[] = [];
  const precision: (number | null)[] = [];
  const f1: (number | null)[] = [];
  const absentClasses: number[] = [];
  let correct = 0;
  for (let c = 0; c < numClasses; c++) {
    const row = confusion[c]!;
    const tp = row[c]!;
    correct += tp;
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, r) => a + r[c]!, 0);
    const r = support > 0 ? tp / support : null;
    const p = predicted > 0 ? tp / predicted : null;
    recall.push(r);
    precision.push(p);
    if (support === 0) absentClasses.push(c);
    f1.push(support + predicted === 0 ? null : (2 * tp) / (support + predicted));
  }
  const present = recall.filter((r): r is number => r !== null);
  const presentF1 = f1.filter((f): f is number => f !== null);
  const mean = (xs: number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
  return {
    n: truth.length,
    ua: mean(present),
    wa: truth.length === 0 ? Number.NaN : correct / truth.length,
    macroF1: mean(presentF1),
    recall,
    precision,
    f1,
    confusion,
    absentClasses,
  };
}
