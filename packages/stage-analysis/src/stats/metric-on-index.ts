import { unweightedAccuracy } from './classification.ts';

/** The metrics a table cell, comparison or claim may name. */
export type MetricName = 'ua' | 'wa' | 'macroF1';
export const METRIC_NAMES: readonly MetricName[] = ['ua', 'wa', 'macroF1'];

/** A metric over a subset (with repeats) of utterances, given by `index`; fast enough for resampling loops. */
export function metricOnIndex(
  metric: MetricName,
  truth: ArrayLike<number>,
  pred: ArrayLike<number>,
  numClasses: number,
  index: ArrayLike<number>,
): number {
  if (metric === 'ua') return unweightedAccuracy(truth, pred, numClasses, index);
  if (metric === 'wa') {
    let hit = 0;
    for (let k = 0; k < index.length; k++) if (truth[index[k]!] === pred[index[k]!]) hit++;
    return index.length === 0 ? Number.NaN : hit / index.length;
  }
  const tp = new Float64Array(numClasses);
  const support = new Float64Array(numClasses);
  const predicted = new Float64Array(numClasses);
  for (let k = 0; k < index.length; k++) {
    const t = truth[index[k]!]!;
    const p = pred[index[k]!]!;
    support[t]! += 1;
    predicted[p]! += 1;
    if (t === p) tp[t]! += 1;
  }
  let sum = 0;
  let present = 0;
  for (let c = 0; c < numClasses; c++) {
    const denom = support[c]! + predicted[c]!;
    if (denom === 0) continue;
    present++;
    sum += (2 * tp[c]!) / denom;
  }
  return present === 0 ? Number.NaN : sum / present;
}

export function identityIndex(n: number): Uint32Array {
  const index = new Uint32Array(n);
  for (let i = 0; i < n; i++) index[i] = i;
  return index;
}
