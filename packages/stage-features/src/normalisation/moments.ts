/**
 * Per-coefficient first and second moments of MFCC frames, accumulated in float64 so that
 * statistics of several corpora can be pooled exactly (frame-weighted).
 */
export interface Moments {
  /** Frames accumulated. */
  frames: number;
  /** Per coefficient: Σ x. */
  sum: Float64Array;
  /** Per coefficient: Σ x². */
  sumSq: Float64Array;
}

export function emptyMoments(dims: number): Moments {
  return { frames: 0, sum: new Float64Array(dims), sumSq: new Float64Array(dims) };
}

/** Adds every frame of a `frames × dims` row-major matrix. */
export function addFrames(into: Moments, data: Float32Array, dims: number): void {
  const frames = data.length / dims;
  for (let t = 0; t < frames; t++) {
    for (let k = 0; k < dims; k++) {
      const x = data[t * dims + k]!;
      into.sum[k] = into.sum[k]! + x;
      into.sumSq[k] = into.sumSq[k]! + x * x;
    }
  }
  into.frames += frames;
}

export function poolMoments(parts: readonly Moments[], dims: number): Moments {
  const pooled = emptyMoments(dims);
  for (const part of parts) {
    pooled.frames += part.frames;
    for (let k = 0; k < dims; k++) {
      pooled.sum[k] = pooled.sum[k]! + part.sum[k]!;
      pooled.sumSq[k] = pooled.sumSq[k]! + part.sumSq[k]!;
    }
  }
  return pooled;
}

/** Mean and population standard deviation per coefficient (what the z-normalisation applies). */
export interface MeanStd {
  frames: number;
  mean: number[];
  std: number[];
}

export function meanStd(m: Moments): MeanStd {
  const n = Math.max(m.frames, 1);
  const mean = Array.from(m.sum, (s) => s / n);
  const std = Array.from(m.sumSq, (sq, k) => Math.sqrt(Math.max(sq / n - mean[k]! ** 2, 0)));
  return { frames: m.frames, mean, std };
}
