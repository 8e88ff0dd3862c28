import FFT from 'fft.js';
import { dctMatrix, lifterWeights } from './dct.ts';
import { frameLayout } from './framing.ts';
import { type SparseFilter, melFilterbank } from './mel.ts';
import type { MfccMatrix, MfccOptions } from './options.ts';
import { makeWindow } from './window.ts';

/**
 * The MFCC pipeline for one option set, with everything precomputed (window, sparse filterbank,
 * DCT, FFT tables) and work buffers reused across frames and calls. Not shared between threads:
 * each worker builds its own through `computeMfcc`.
 */
export class MfccExtractor {
  readonly options: MfccOptions;
  private readonly window: Float64Array;
  private readonly filters: SparseFilter[];
  private readonly dct: Float64Array;
  private readonly lifter: Float64Array;
  private readonly fft: FFT;
  private readonly frame: Float64Array;
  private readonly spectrum: Float64Array;
  private readonly power: Float64Array;

  constructor(options: MfccOptions) {
    validate(options);
    this.options = options;
    this.window = makeWindow(options.window, options.winLength, options.periodicWindow);
    this.filters = melFilterbank(options);
    this.dct = dctMatrix(options.numCeps, options.numFilters);
    this.lifter = lifterWeights(options.numCeps, options.lifter);
    this.fft = new FFT(options.nfft);
    this.frame = new Float64Array(options.nfft);
    this.spectrum = new Float64Array(2 * options.nfft);
    this.power = new Float64Array(Math.floor(options.nfft / 2) + 1);
  }

  compute(samples: Float32Array): MfccMatrix {
    const o = this.options;
    const signal = this.prepare(samples);
    const { frames, firstStart } = frameLayout(samples.length, o);
    const nf = o.numFilters;
    const logMel = new Float64Array(frames * nf);
    const logEnergy = o.useEnergy ? new Float64Array(frames) : undefined;
    for (let t = 0; t < frames; t++) {
      const energy = this.loadFrame(signal, firstStart + t * o.hopLength);
      if (logEnergy) logEnergy[t] = Math.log(Math.max(energy, o.logFloor));
      this.powerSpectrum();
      this.applyFilters(logMel, t * nf);
    }
    if (o.log === 'db' && o.topDb !== null) clampTopDb(logMel, o.topDb);
    const data = this.cepstra(logMel, frames);
    if (logEnergy) for (let t = 0; t < frames; t++) data[t * o.numCeps] = logEnergy[t]!;
    return { data, frames, dims: o.numCeps };
  }

  /** Input scaling and whole-signal pre-emphasis, in double precision. */
  private prepare(samples: Float32Array): Float64Array {
    const o = this.options;
    const n = samples.length;
    const out = new Float64Array(n);
    const s = o.inputScale;
    for (let i = 0; i < n; i++) out[i] = samples[i]! * s;
    if (o.preEmphasis !== 0 && !o.preEmphasisPerFrame) {
      for (let i = n - 1; i > 0; i--) out[i] = out[i]! - o.preEmphasis * out[i - 1]!;
    }
    return out;
  }

  /**
   * Copies one window of signal (zeros outside it), then DC removal, per-frame emphasis, window.
   * Returns the frame's energy after DC removal (for `useEnergy`).
   */
  private loadFrame(signal: Float64Array, start: number): number {
    const o = this.options;
    const frame = this.frame;
    const win = o.winLength;
    const n = signal.length;
    for (let i = 0; i < win; i++) {
      const j = start + i;
      frame[i] = j >= 0 && j < n ? signal[j]! : 0;
    }
    frame.fill(0, win);
    if (o.removeDcOffset) {
      let mean = 0;
      for (let i = 0; i < win; i++) mean += frame[i]!;
      mean /= win;
      for (let i = 0; i < win; i++) frame[i] = frame[i]! - mean;
    }
    let energy = 0;
    if (o.useEnergy) for (let i = 0; i < win; i++) energy += frame[i]! * frame[i]!;
    if (o.preEmphasisPerFrame && o.preEmphasis !== 0) {
      for (let i = win - 1; i > 0; i--) frame[i] = frame[i]! - o.preEmphasis * frame[i - 1]!;
      frame[0] = frame[0]! - o.preEmphasis * frame[0]!;
    }
    const w = this.window;
    for (let i = 0; i < win; i++) frame[i] = frame[i]! * w[i]!;
    return energy;
  }

  private powerSpectrum(): void {
    this.fft.realTransform(this.spectrum, this.frame);
    const spec = this.spectrum;
    const power = this.power;
    const scale = this.options.powerPerNfft ? 1 / this.options.nfft : 1;
    for (let k = 0; k < power.length; k++) {
      const re = spec[2 * k]!;
      const im = spec[2 * k + 1]!;
      power[k] = (re * re + im * im) * scale;
    }
  }

  private applyFilters(out: Float64Array, offset: number): void {
    const { log, logFloor } = this.options;
    const power = this.power;
    for (let j = 0; j < this.filters.length; j++) {
      const { start, weights } = this.filters[j]!;
      let e = 0;
      for (let i = 0; i < weights.length; i++) e += weights[i]! * power[start + i]!;
      const clamped = e > logFloor ? e : logFloor;
      out[offset + j] = log === 'ln' ? Math.log(clamped) : 10 * Math.log10(clamped);
    }
  }

  private cepstra(logMel: Float64Array, frames: number): Float32Array {
    const nc = this.options.numCeps;
    const nf = this.options.numFilters;
    const data = new Float32Array(frames * nc);
    const dct = this.dct;
    const lifter = this.lifter;
    for (let t = 0; t < frames; t++) {
      const row = t * nf;
      for (let k = 0; k < nc; k++) {
        const basis = k * nf;
        let acc = 0;
        for (let j = 0; j < nf; j++) acc += dct[basis + j]! * logMel[row + j]!;
        data[t * nc + k] = acc * lifter[k]!;
      }
    }
    return data;
  }
}

/** librosa power_to_db's top_db: nothing below (utterance maximum − topDb). */
function clampTopDb(values: Float64Array, topDb: number): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  const floor = max - topDb;
  for (let i = 0; i < values.length; i++) if (values[i]! < floor) values[i] = floor;
}

function validate(o: MfccOptions): void {
  const fail = (why: string): never => {
    throw new RangeError(`invalid MFCC options: ${why}`);
  };
  if (!(o.nfft >= 2) || (o.nfft & (o.nfft - 1)) !== 0) fail(`nfft ${o.nfft} must be a power of two`);
  if (!(o.winLength >= 1 && o.winLength <= o.nfft)) fail(`winLength ${o.winLength} must be in 1 … nfft (${o.nfft})`);
  if (!(o.hopLength >= 1)) fail(`hopLength ${o.hopLength} must be ≥ 1`);
  if (!(o.numCeps >= 1 && o.numCeps <= o.numFilters)) fail(`numCeps ${o.numCeps} must be in 1 … numFilters (${o.numFilters})`);
  const nyquist = o.sampleRate / 2;
  const high = o.highFreq ?? nyquist;
  if (!(o.lowFreq >= 0 && o.lowFreq < high && high <= nyquist)) fail(`filterbank ${o.lowFreq}–${high} Hz must lie in 0–${nyquist} Hz`);
  if (!(o.logFloor > 0)) fail('logFloor must be > 0');
}
