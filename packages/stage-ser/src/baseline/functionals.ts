/**
 * Per-utterance functionals of a frames × dims feature matrix: one fixed-length vector per
 * utterance, whatever its length. With per-utterance z-normalised MFCCs `mean` and `std` are
 * constant (0 and 1); the others still carry the utterance's dynamics and shape.
 */

export const FUNCTIONALS = [
  'mean',
  'std',
  /** Standard deviation of the frame-to-frame difference (how fast each coefficient moves). */
  'deltaStd',
  /** Biased sample skewness m₃/m₂^1.5 (scipy.stats.skew's default); 0 for a constant coefficient. */
  'skew',
  /** Biased excess kurtosis m₄/m₂² − 3 (scipy.stats.kurtosis's default); 0 for a constant coefficient. */
  'kurtosis',
  /** Percentiles with linear interpolation (numpy.percentile's default). */
  'p10',
  'p50',
  'p90',
  /** ln(number of frames): one value per utterance, not per coefficient. */
  'logFrames',
] as const;

export type Functional = (typeof FUNCTIONALS)[number];

/** Length of the vector {@link functionalsOf} returns. */
export function functionalDims(functionals: readonly Functional[], dims: number): number {
  return functionals.reduce((n, f) => n + (f === 'logFrames' ? 1 : dims), 0);
}

/** The functionals of `data` (frames × dims, row-major), concatenated in the order asked for. */
export function functionalsOf(
  data: Float32Array,
  frames: number,
  dims: number,
  functionals: readonly Functional[],
): Float64Array {
  const out = new Float64Array(functionalDims(functionals, dims));
  const column = new Float64Array(frames);
  const sorted = new Float64Array(frames);
  const stats = new Map<Functional, Float64Array>();
  for (const f of functionals) if (f !== 'logFrames') stats.set(f, new Float64Array(dims));
  for (let c = 0; c < dims; c++) {
    for (let t = 0; t < frames; t++) column[t] = data[t * dims + c] as number;
    const { mean, m2, m3, m4 } = moments(column);
    let deltaStd = 0;
    if (frames > 1) {
      const delta = new Float64Array(frames - 1);
      for (let t = 0; t + 1 < frames; t++) delta[t] = (column[t + 1] as number) - (column[t] as number);
      deltaStd = Math.sqrt(moments(delta).m2);
    }
    sorted.set(column);
    sorted.sort();
    const values: { [f in Exclude<Functional, 'logFrames'>]: number } = {
      mean,
      std: Math.sqrt(m2),
      deltaStd,
      skew: m2 > 0 ? m3 / m2 ** 1.5 : 0,
      kurtosis: m2 > 0 ? m4 / (m2 * m2) - 3 : 0,
      p10: percentile(sorted, 10),
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
    };
    for (const [f, arr] of stats) arr[c] = values[f as Exclude<Functional, 'logFrames'>];
  }
  let at = 0;
  for (const f of functionals) {
    if (f === 'logFrames') out[at++] = Math.log(frames);
    else {
      out.set(stats.get(f) as Float64Array, at);
      at += dims;
    }
  }
  return out;
}

/** Mean and central moments 2–4 (divided by n). */
function moments(x: Float64Array): { mean: number; m2: number; m3: number; m4: number } {
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (const v of x) {
    const d = v - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  return { mean, m2: m2 / x.length, m3: m3 / x.length, m4: m4 / x.length };
}

/** numpy.percentile(x, q) with the default linear interpolation, on ascending `sorted`. */
function percentile(sorted: Float64Array, q: number): number {
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (pos - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}
