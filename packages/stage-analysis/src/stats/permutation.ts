import type { PairedGroup } from './bootstrap.ts';
import { identityIndex, type MetricName, metricOnIndex } from './metric-on-index.ts';
import { createRng } from './rng.ts';
import { binomialCdf } from './special.ts';

export interface TestResult {
  /** Observed statistic (mean paired difference). */
  statistic: number;
  /** Two-sided p-value. */
  p: number;
  /** `exact` enumeration or `monte-carlo` resampling. */
  method: 'exact' | 'monte-carlo';
  permutations: number;
  n: number;
}

/** Two-sided p from null counts, as scipy.stats.permutation_test computes it. */
function twoSided(observed: number, nulls: Float64Array, exact: boolean): number {
  const tol = Math.max(Math.abs(observed) * 1e-12, 1e-14);
  let greater = 0;
  let less = 0;
  for (const v of nulls) {
    if (v >= observed - tol) greater++;
    if (v <= observed + tol) less++;
  }
  const adjust = exact ? 0 : 1;
  const pg = (greater + adjust) / (nulls.length + adjust);
  const pl = (less + adjust) / (nulls.length + adjust);
  return Math.min(1, 2 * Math.min(pg, pl));
}

/**
 * Paired sign-flip permutation test of mean(diffs) = 0 (the paired `samples` permutation test):
 * exact over all 2^n sign patterns for n ≤ 16, else `resamples` random patterns.
 */
export function signFlipTest(
  diffs: readonly number[],
  options: { resamples?: number; seed?: number } = {},
): TestResult {
  const n = diffs.length;
  const observed = diffs.reduce((a, b) => a + b, 0) / n;
  const exact = n <= 16;
  const count = exact ? 2 ** n : (options.resamples ?? 10000);
  const nulls = new Float64Array(count);
  const rng = createRng(options.seed ?? 0);
  for (let k = 0; k < count; k++) {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const flip = exact ? (k >> i) & 1 : rng.next() < 0.5 ? 1 : 0;
      sum += flip ? -diffs[i]! : diffs[i]!;
    }
    nulls[k] = sum / n;
  }
  return {
    statistic: observed,
    p: twoSided(observed, nulls, exact),
    method: exact ? 'exact' : 'monte-carlo',
    permutations: count,
    n,
  };
}

/** Exact two-sided sign test (binomial, p = 0.5); zero differences are dropped. */
export function signTest(diffs: readonly number[]): TestResult & { positive: number; negative: number } {
  const positive = diffs.filter((d) => d > 0).length;
  const negative = diffs.filter((d) => d < 0).length;
  const n = positive + negative;
  const k = Math.min(positive, negative);
  const p = n === 0 ? 1 : Math.min(1, 2 * binomialCdf(k, n, 0.5));
  const statistic = diffs.length === 0 ? Number.NaN : diffs.reduce((a, b) => a + b, 0) / diffs.length;
  return { statistic, p, method: 'exact', permutations: 0, n, positive, negative };
}

/**
 * Utterance-level paired permutation test: under H0 the two models' predictions of an utterance
 * are exchangeable, so each utterance's pair is swapped with probability 1/2 (independently in each
 * seed); the statistic is the mean over seeds of metric(a) - metric(b).
 */
export function pairedPredictionPermutationTest(
  groups: readonly Required<PairedGroup>[],
  options: { metric: MetricName; numClasses: number; resamples?: number; seed?: number },
): TestResult {
  const resamples = options.resamples ?? 2000;
  const rng = createRng(options.seed ?? 0);
  const indices = groups.map((g) => identityIndex(g.truth.length));
  const stat = (as: ArrayLike<number>[], bs: ArrayLike<number>[]) => {
    let sum = 0;
    groups.forEach((g, k) => {
      sum +=
        metricOnIndex(options.metric, g.truth, as[k]!, options.numClasses, indices[k]!) -
        metricOnIndex(options.metric, g.truth, bs[k]!, options.numClasses, indices[k]!);
    });
    return sum / groups.length;
  };
  const observed = stat(
    groups.map((g) => g.a),
    groups.map((g) => g.b),
  );
  const as = groups.map((g) => new Int32Array(g.truth.length));
  const bs = groups.map((g) => new Int32Array(g.truth.length));
  const nulls = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    groups.forEach((g, k) => {
      for (let i = 0; i < g.truth.length; i++) {
        const swap = rng.next() < 0.5;
        as[k]![i] = swap ? g.b[i]! : g.a[i]!;
        bs[k]![i] = swap ? g.a[i]! : g.b[i]!;
      }
    });
    nulls[r] = stat(as, bs);
  }
  const n = groups.reduce((a, g) => a + g.truth.length, 0);
  return {
    statistic: observed,
    p: twoSided(observed, nulls, false),
    method: 'monte-carlo',
    permutations: resamples,
    n,
  };
}
