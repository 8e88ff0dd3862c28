import { identityIndex, type MetricName, metricOnIndex } from './metric-on-index.ts';
import { createRng } from './rng.ts';

/** Predictions of one seed on one test set: `a` alone (a level) or `a` and `b` paired on the same utterances (a difference). */
export interface PairedGroup {
  truth: ArrayLike<number>;
  a: ArrayLike<number>;
  b?: ArrayLike<number>;
}

export interface BootstrapOptions {
  metric: MetricName;
  numClasses: number;
  resamples?: number;
  level?: number;
  seed?: number;
}

export interface BootstrapResult {
  /** The statistic on the observed data: mean over seeds of metric(a) [- metric(b)]. */
  estimate: number;
  lo: number;
  hi: number;
  level: number;
  resamples: number;
  /** Number of seeds (groups) and of utterances per seed the interval rests on. */
  seeds: number;
  utterances: number[];
}

function statistic(
  groups: readonly PairedGroup[],
  picks: ArrayLike<number>,
  indices: ArrayLike<number>[],
  o: BootstrapOptions,
): number {
  let sum = 0;
  for (let k = 0; k < picks.length; k++) {
    const g = groups[picks[k]!]!;
    const index = indices[k]!;
    let v = metricOnIndex(o.metric, g.truth, g.a, o.numClasses, index);
    if (g.b) v -= metricOnIndex(o.metric, g.truth, g.b, o.numClasses, index);
    sum += v;
  }
  return sum / picks.length;
}

function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Two-level (seeds, then utterances within each seed) percentile bootstrap of a metric or of a
 * paired metric difference. Utterances are resampled jointly for `a` and `b` so the pairing is
 * kept. With one seed only the utterance level varies.
 */
export function hierarchicalBootstrap(
  groups: readonly PairedGroup[],
  options: BootstrapOptions,
): BootstrapResult {
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  const rng = createRng(options.seed ?? 0);
  const seeds = groups.length;
  const identity = groups.map((g) => identityIndex(g.truth.length));
  const estimate = statistic(groups, identityIndex(seeds), identity, options);
  const stats = new Float64Array(resamples);
  const picks = new Uint32Array(seeds);
  const scratch = groups.map((g) => new Uint32Array(g.truth.length));
  for (let r = 0; r < resamples; r++) {
    const indices: Uint32Array[] = [];
    for (let k = 0; k < seeds; k++) {
      const s = seeds > 1 ? rng.int(seeds) : 0;
      picks[k] = s;
      const n = groups[s]!.truth.length;
      const index = scratch[k]!.length === n ? scratch[k]! : new Uint32Array(n);
      for (let i = 0; i < n; i++) index[i] = rng.int(n);
      indices.push(index);
    }
    stats[r] = statistic(groups, picks, indices, options);
  }
  const finite = stats.filter((v) => Number.isFinite(v)).sort();
  const alpha = (1 - level) / 2;
  return {
    estimate,
    lo: quantile(finite, alpha),
    hi: quantile(finite, 1 - alpha),
    level,
    resamples,
    seeds,
    utterances: groups.map((g) => g.truth.length),
  };
}
