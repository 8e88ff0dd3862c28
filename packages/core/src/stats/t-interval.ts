import { studentTQuantile } from './special.ts';

export interface MeanInterval {
  mean: number;
  /** Sample standard deviation (n - 1); null when n < 2. */
  sd: number | null;
  /** Interval bounds; null when n < 2 (no spread to estimate from). */
  lo: number | null;
  hi: number | null;
  n: number;
  level: number;
}

/** Mean with a two-sided Student t confidence interval (e.g. over seeds). */
export function tInterval(values: readonly number[], level = 0.95): MeanInterval {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, sd: null, lo: null, hi: null, n, level };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, sd: null, lo: null, hi: null, n, level };
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  return { mean, sd, lo: mean - half, hi: mean + half, n, level };
}
