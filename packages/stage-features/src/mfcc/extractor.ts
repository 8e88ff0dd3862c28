import { FastDct, lifterWeights } from './dct.ts';
import { frameLayout } from './framing.ts';
import { melFilterbank, type SparseFilter } from './mel.ts';
import { nativeMfccKernel } from './native-kernel.ts';
import type { MfccMatrix, MfccOptions } from './options.ts';
import { PairPowerSpectrum } from './power-spectrum.ts';
import { makeWindow } from './window.ts';

/**
 * The MFCC pipeline for one option set, with everything precomputed (window, sparse filterbank
 * flattened into one weight array, DCT, FFT twiddles) and work buffers reused across frames and
 * calls. Not shared between threads: each worker builds its own through `computeMfcc`.
 */
export class MfccExtractor {
  readonly options: MfccOptions;
  private readonly window: Float64Array;
  private readonly filterStart: Int32Array;
  private readonly filterLength: Int32Array;
  private readonly filterOffset: Int32Array;
  private readonly filterWeights: Float64Array;
  private readonly dct: FastDct;
  /** Orthonormal DCT scale × lifter, per kept coefficient. */
  private readonly cepScale: Float64Array;
  private readonly cep: Float64Array;
  private readonly spectrum: PairPowerSpectrum;
  /** Scratch for the per-frame steps (DC removal, per-frame pre-emphasis) before windowing. */
  private readonly frame: Float64Array;
  private readonly powerA: Float64Array;
  private readonly powerB: Float64Array;
  /** The C pipeline's handle for these options, when the addon is built. */
  private readonly native: unknown;

  /** `js` forces the JavaScript pipeline (tests compare the two); `auto` prefers the C kernel. */
  constructor(options: MfccOptions, pipeline: 'auto' | 'js' = 'auto') {
    validate(options);
    this.options = options;
    this.window = makeWindow(options.window, options.winLength, options.periodicWindow);
    const filters: SparseFilter[] = melFilterbank(options);
    this.filterStart = Int32Array.from(filters, (f) => f.start);
    this.filterLength = Int32Array.from(filters, (f) => f.weights.length);
    this.filterOffset = new Int32Array(filters.length);
    this.filterWeights = new Float64Array(filters.reduce((n, f) => n + f.weights.length, 0));
    let offset = 0;
    filters.forEach((f, j) => {
      this.filterOffset[j] = offset;
      this.filterWeights.set(f.weights, offset);
      offset += f.weights.length;
    });
    this.dct = new FastDct(options.numFilters);
    this.cep = new Float64Array(options.numFilters);
    const lifter = lifterWeights(options.numCeps, options.lifter);
    const nf = options.numFilters;
    this.cepScale = Float64Array.from(lifter, (l, k) => l * Math.sqrt((k === 0 ? 1 : 2) / nf));
    this.spectrum = new PairPowerSpectrum(options.nfft);
    this.frame = new Float64Array(options.winLength);
    this.powerA = new Float64Array(this.spectrum.bins);
    this.powerB = new Float64Array(this.spectrum.bins);
    this.native = pipeline === 'auto' ? this.createNative() : undefined;
  }

  get pipeline(): 'native' | 'js' {
    return this.native === undefined ? 'js' : 'native';
  }

  compute(samples: Float32Array): MfccMatrix {
    const o = this.options;
    if (this.native !== undefined) {
      const { frames, firstStart } = frameLayout(samples.length, o);
      const data = new Float32Array(frames * o.numCeps);
      nativeMfccKernel()!.compute(this.native, samples, frames, firstStart, data);
      return { data, frames, dims: o.numCeps };
    }
    const signal = this.prepare(samples);
    const { frames, firstStart } = frameLayout(samples.length, o);
    const nf = o.numFilters;
    const logMel = new Float64Array(frames * nf);
    const logEnergy = o.useEnergy ? new Float64Array(frames) : undefined;
    const scale = o.powerPerNfft ? 1 / o.nfft : 1;
    // Frames go through the FFT two at a time (see PairPowerSpectrum).
    for (let t = 0; t < frames; t += 2) {
      const energyA = this.loadFrame(signal, firstStart + t * o.hopLength, 0);
      const pair = t + 1 < frames;
      const energyB = pair
        ? this.loadFrame(signal, firstStart + (t + 1) * o.hopLength, 1)
        : this.clearLane(1);
      this.spectrum.compute(this.powerA, this.powerB, scale);
      this.applyFilters(this.powerA, logMel, t * nf);
      if (pair) this.applyFilters(this.powerB, logMel, (t + 1) * nf);
      if (logEnergy) {
        logEnergy[t] = Math.log(Math.max(energyA, o.logFloor));
        if (pair) logEnergy[t + 1] = Math.log(Math.max(energyB, o.logFloor));
      }
    }
    if (o.log === 'db' && o.topDb !== null) clampTopDb(logMel, o.topDb);
    const data = this.cepstra(logMel, frames);
    if (logEnergy) for (let t = 0; t < frames; t++) data[t * o.numCeps] = logEnergy[t]!;
    return { data, frames, dims: o.numCeps };
  }

  private createNative(): unknown {
    const kernel = nativeMfccKernel();
    if (!kernel) return undefined;
    const o = this.options;
    const nf = o.numFilters;
    const nc = o.numCeps;
    const dct = new Float64Array(nf * nc);
    for (let j = 0; j < nf; j++)
      for (let q = 0; q < nc; q++)
        dct[j * nc + q] = Math.cos((Math.PI * q * (2 * j + 1)) / (2 * nf)) * this.cepScale[q]!;
    return kernel.create({
      nfft: o.nfft,
      winLength: o.winLength,
      hopLength: o.hopLength,
      numCeps: nc,
      removeDcOffset: Number(o.removeDcOffset),
      useEnergy: Number(o.useEnergy),
      preEmphasisPerFrame: Number(o.preEmphasisPerFrame),
      logDb: Number(o.log === 'db'),
      hasTopDb: Number(o.log === 'db' && o.topDb !== null),
      preEmphasis: o.preEmphasis,
      logFloor: o.logFloor,
      topDb: o.topDb ?? 0,
      powerScale: o.powerPerNfft ? 1 / o.nfft : 1,
      inputScale: o.inputScale,
      window: this.window,
      filterStart: this.filterStart,
      filterLength: this.filterLength,
      filterWeights: this.filterWeights,
      dct,
    });
  }

  /** Input scaling and whole-signal pre-emphasis, in double precision. */
  private prepare(samples: Float32Array): Float64Array {
    const o = this.options;
    const n = samples.length;
    const out = new Float64Array(n);
    const s = o.inputScale;
    const c = o.preEmphasisPerFrame ? 0 : o.preEmphasis;
    if (n > 0) out[0] = samples[0]! * s;
    for (let i = 1; i < n; i++) out[i] = samples[i]! * s - c * (samples[i - 1]! * s);
    return out;
  }

  /**
   * Windows one frame of signal (zeros outside it) into `lane` (0 real, 1 imaginary) of the FFT
   * input, after DC removal and per-frame pre-emphasis when asked. Returns the frame's energy
   * after DC removal (for `useEnergy`).
   */
  private loadFrame(signal: Float64Array, start: number, lane: 0 | 1): number {
    const o = this.options;
    const dest = this.spectrum.input;
    const w = this.window;
    const win = o.winLength;
    const n = signal.length;
    const inside = start >= 0 && start + win <= n;
    if (inside && !o.removeDcOffset && !o.useEnergy && !(o.preEmphasisPerFrame && o.preEmphasis !== 0)) {
      for (let i = 0; i < win; i++) dest[2 * i + lane] = signal[start + i]! * w[i]!;
      return 0;
    }
    const frame = this.frame;
    for (let i = 0; i < win; i++) {
      const j = start + i;
      frame[i] = j >= 0 && j < n ? signal[j]! : 0;
    }
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
    for (let i = 0; i < win; i++) dest[2 * i + lane] = frame[i]! * w[i]!;
    return energy;
  }

  private clearLane(lane: 0 | 1): number {
    const dest = this.spectrum.input;
    for (let i = 0; i < this.options.winLength; i++) dest[2 * i + lane] = 0;
    return 0;
  }

  private applyFilters(power: Float64Array, out: Float64Array, offset: number): void {
    const ln = this.options.log === 'ln';
    const floor = this.options.logFloor;
    const starts = this.filterStart;
    const lengths = this.filterLength;
    const offsets = this.filterOffset;
    const weights = this.filterWeights;
    const nf = starts.length;
    for (let j = 0; j < nf; j++) {
      const start = starts[j]!;
      const w0 = offsets[j]!;
      const len = lengths[j]!;
      let e = 0;
      for (let i = 0; i < len; i++) e += weights[w0 + i]! * power[start + i]!;
      const clamped = e > floor ? e : floor;
      out[offset + j] = ln ? Math.log(clamped) : 10 * Math.log10(clamped);
    }
  }

  private cepstra(logMel: Float64Array, frames: number): Float32Array {
    const nc = this.options.numCeps;
    const nf = this.options.numFilters;
    const data = new Float32Array(frames * nc);
    const cep = this.cep;
    const scale = this.cepScale;
    for (let t = 0; t < frames; t++) {
      this.dct.transform(logMel, t * nf, cep);
      const row = t * nc;
      for (let k = 0; k < nc; k++) data[row + k] = cep[k]! * scale[k]!;
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
  if (!(o.nfft >= 4) || (o.nfft & (o.nfft - 1)) !== 0) fail(`nfft ${o.nfft} must be a power of two ≥ 4`);
  if (!(o.winLength >= 1 && o.winLength <= o.nfft))
    fail(`winLength ${o.winLength} must be in 1 … nfft (${o.nfft})`);
  if (!(o.hopLength >= 1)) fail(`hopLength ${o.hopLength} must be ≥ 1`);
  if (!(o.numCeps >= 1 && o.numCeps <= o.numFilters))
    fail(`numCeps ${o.numCeps} must be in 1 … numFilters (${o.numFilters})`);
  const nyquist = o.sampleRate / 2;
  const high = o.highFreq ?? nyquist;
  if (!(o.lowFreq >= 0 && o.lowFreq < high && high <= nyquist))
    fail(`filterbank ${o.lowFreq}–${high} Hz must lie in 0–${nyquist} Hz`);
  if (!(o.logFloor > 0)) fail('logFloor must be > 0');
}
