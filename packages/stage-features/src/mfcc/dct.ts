/** Orthonormal DCT-II rows 0 … numCeps−1 for `n` inputs (scipy `dct(type=2, norm='ortho')`). */
export function dctMatrix(numCeps: number, n: number): Float64Array {
  const m = new Float64Array(numCeps * n);
  for (let k = 0; k < numCeps; k++) {
    const scale = k === 0 ? Math.sqrt(1 / n) : Math.sqrt(2 / n);
    for (let i = 0; i < n; i++) m[k * n + i] = scale * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * n));
  }
  return m;
}

/** HTK / python_speech_features sinusoidal lifter 1 + (L/2)·sin(πk/L); all ones when L = 0. */
export function lifterWeights(numCeps: number, lifter: number): Float64Array {
  const w = new Float64Array(numCeps).fill(1);
  if (lifter > 0)
    for (let k = 0; k < numCeps; k++) w[k] = 1 + (lifter / 2) * Math.sin((Math.PI * k) / lifter);
  return w;
}

interface Level {
  n: number;
  half: number;
  /** (half × half) basis of the odd outputs: cos(π(2m+1)(2j+1) / 2n). */
  odd: Float64Array;
  sum: Float64Array;
  diff: Float64Array;
}

/**
 * Unnormalised DCT-II, X[k] = Σ x[j]·cos(πk(2j+1)/2n), by even/odd splitting: the even outputs
 * of size n are the DCT-II of x[j] + x[n−1−j] (size n/2), the odd ones a (n/2)² product with
 * x[j] − x[n−1−j]. For n = 40 that is 550 multiply-adds instead of 1600.
 */
export class FastDct {
  private readonly levels: Level[] = [];
  private readonly direct: Float64Array;
  private readonly base: number;

  constructor(readonly n: number) {
    let size = n;
    while (size % 2 === 0 && size > 4) {
      const half = size / 2;
      const odd = new Float64Array(half * half);
      for (let m = 0; m < half; m++) {
        for (let j = 0; j < half; j++)
          odd[m * half + j] = Math.cos((Math.PI * (2 * m + 1) * (2 * j + 1)) / (2 * size));
      }
      this.levels.push({ n: size, half, odd, sum: new Float64Array(half), diff: new Float64Array(half) });
      size = half;
    }
    this.base = size;
    this.direct = new Float64Array(size * size);
    for (let m = 0; m < size; m++) {
      for (let j = 0; j < size; j++)
        this.direct[m * size + j] = Math.cos((Math.PI * m * (2 * j + 1)) / (2 * size));
    }
  }

  /** Transforms x[offset … offset+n) into out[0 … n). */
  transform(x: Float64Array, offset: number, out: Float64Array): void {
    let src = x;
    let srcOffset = offset;
    let stride = 1;
    for (const { n, half, odd, sum, diff } of this.levels) {
      for (let j = 0; j < half; j++) {
        const a = src[srcOffset + j]!;
        const b = src[srcOffset + n - 1 - j]!;
        sum[j] = a + b;
        diff[j] = a - b;
      }
      for (let m = 0; m < half; m++) {
        const row = m * half;
        let acc = 0;
        for (let j = 0; j < half; j++) acc += odd[row + j]! * diff[j]!;
        out[(2 * m + 1) * stride] = acc;
      }
      src = sum;
      srcOffset = 0;
      stride *= 2;
    }
    const size = this.base;
    const direct = this.direct;
    for (let m = 0; m < size; m++) {
      let acc = 0;
      for (let j = 0; j < size; j++) acc += direct[m * size + j]! * src[srcOffset + j]!;
      out[m * stride] = acc;
    }
  }
}
