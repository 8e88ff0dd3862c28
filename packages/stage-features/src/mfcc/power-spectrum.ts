import FFT from 'fft.js';

/**
 * |FFT|² of two real frames of length N at once (bins 0 … N/2 each): frame A goes in the real
 * lanes and frame B in the imaginary lanes of one complex FFT (fft.js), and the two spectra are
 * separated by conjugate symmetry, X_A[k] = (Z[k] + conj Z[N−k]) / 2, X_B[k] = (Z[k] − conj Z[N−k]) / 2i.
 * Cheaper per frame than fft.js's `realTransform` and needs no twiddles afterwards.
 */
export class PairPowerSpectrum {
  readonly bins: number;
  /** Interleaved input: A[i] at 2i, B[i] at 2i + 1. Slots never written stay zero (the FFT padding). */
  readonly input: Float64Array;
  private readonly fft: FFT;
  private readonly z: Float64Array;

  constructor(readonly size: number) {
    this.bins = size / 2 + 1;
    this.fft = new FFT(size);
    this.input = new Float64Array(2 * size);
    this.z = new Float64Array(2 * size);
  }

  /** Writes `scale`·|X_A[k]|² into `powerA` and `scale`·|X_B[k]|² into `powerB`, k = 0 … N/2. */
  compute(powerA: Float64Array, powerB: Float64Array, scale: number): void {
    const z = this.z;
    const n = this.size;
    this.fft.transform(z, this.input);
    const s = 0.25 * scale;
    powerA[0] = z[0]! * z[0]! * scale;
    powerB[0] = z[1]! * z[1]! * scale;
    for (let k = 1; k < this.bins; k++) {
      const zr = z[2 * k]!;
      const zi = z[2 * k + 1]!;
      const cr = z[2 * (n - k)]!;
      const ci = z[2 * (n - k) + 1]!;
      const ar = zr + cr;
      const ai = zi - ci;
      const br = zi + ci;
      const bi = cr - zr;
      powerA[k] = (ar * ar + ai * ai) * s;
      powerB[k] = (br * br + bi * bi) * s;
    }
  }
}
