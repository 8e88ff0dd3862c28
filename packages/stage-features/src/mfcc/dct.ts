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
  if (lifter > 0) for (let k = 0; k < numCeps; k++) w[k] = 1 + (lifter / 2) * Math.sin((Math.PI * k) / lifter);
  return w;
}
