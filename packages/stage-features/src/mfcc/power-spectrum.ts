import FFT from 'fft.js';

/**
 * |FFT|² of a real frame of even length N, bins 0 … N/2, through a complex FFT of half the size
 * (fft.js): the frame, read as N/2 interleaved complex numbers z[n] = x[2n] + i·x[2n+1], is
 * transformed, then even/odd spectra are separated and recombined with one twiddle per bin.
 * About twice as fast as fft.js's own `realTransform`.
 */
export class PowerSpectrum {
  readonly bins: number;
  private readonly half: number;
  private readonly fft: FFT;
  private readonly z: Float64Array;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;

  constructor(readonly size: number) {
    this.half = size / 2;
    this.bins = this.half + 1;
    this.fft = new FFT(this.half);
    this.z = new Float64Array(size);
    this.cos = new Float64Array(this.bins);
    this.sin = new Float64Array(this.bins);
    for (let k = 0; k < this.bins; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = Math.sin((2 * Math.PI * k) / size);
    }
  }

  /** Writes `scale`·|X[k]|² for k = 0 … N/2 into `power`. `frame` holds N reals. */
  compute(frame: Float64Array, power: Float64Array, scale: number): void {
    const z = this.z;
    const half = this.half;
    const cos = this.cos;
    const sin = this.sin;
    this.fft.transform(z, frame);
    // Bins 0 and N/2 come from Z[0] alone: X[0] = Re + Im, X[N/2] = Re − Im.
    const dc = z[0]! + z[1]!;
    const nyquist = z[0]! - z[1]!;
    power[0] = dc * dc * scale;
    power[half] = nyquist * nyquist * scale;
    for (let k = 1; k < half; k++) {
      const b = 2 * (half - k);
      const zr = z[2 * k]!;
      const zi = z[2 * k + 1]!;
      const cr = z[b]!;
      const ci = z[b + 1]!;
      // E = (Z[k] + conj Z[N/2−k]) / 2, O = (Z[k] − conj Z[N/2−k]) / 2i, X = E + e^{−2πik/N}·O
      const er = zr + cr;
      const ei = zi - ci;
      const or = zi + ci;
      const oi = cr - zr;
      const c = cos[k]!;
      const s = sin[k]!;
      const xr = er + c * or + s * oi;
      const xi = ei + c * oi - s * or;
      power[k] = (xr * xr + xi * xi) * 0.25 * scale;
    }
  }
}
