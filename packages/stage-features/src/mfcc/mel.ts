import type { MfccOptions } from './options.ts';

/** One triangular filter as a dense run of weights starting at FFT bin `start`. */
export interface SparseFilter {
  start: number;
  weights: Float64Array;
}

export function hzToMelHtk(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}

export function melToHzHtk(mel: number): number {
  return 700 * (10 ** (mel / 2595) - 1);
}

const SLANEY_F_SP = 200 / 3;
const SLANEY_MIN_LOG_HZ = 1000;
const SLANEY_MIN_LOG_MEL = SLANEY_MIN_LOG_HZ / SLANEY_F_SP;
const SLANEY_LOGSTEP = Math.log(6.4) / 27;

/** Slaney's Auditory Toolbox mel scale (librosa `htk=False`): linear below 1 kHz, log above. */
export function hzToMelSlaney(hz: number): number {
  return hz >= SLANEY_MIN_LOG_HZ
    ? SLANEY_MIN_LOG_MEL + Math.log(hz / SLANEY_MIN_LOG_HZ) / SLANEY_LOGSTEP
    : hz / SLANEY_F_SP;
}

export function melToHzSlaney(mel: number): number {
  return mel >= SLANEY_MIN_LOG_MEL
    ? SLANEY_MIN_LOG_HZ * Math.exp(SLANEY_LOGSTEP * (mel - SLANEY_MIN_LOG_MEL))
    : SLANEY_F_SP * mel;
}

/** numpy.linspace(start, stop, num): the last point is exactly `stop`. */
function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

export function melFilterbank(o: MfccOptions): SparseFilter[] {
  const highFreq = o.highFreq ?? o.sampleRate / 2;
  if (o.filterbank === 'psf') return psfFilters(o, highFreq);
  if (o.filterbank === 'librosa') return librosaFilters(o, highFreq);
  return kaldiFilters(o, highFreq);
}

/** Dense rows → sparse runs (zero weights at both ends dropped). */
function sparsify(rows: Float64Array[]): SparseFilter[] {
  return rows.map((row) => {
    let a = 0;
    let b = row.length;
    while (a < b && row[a] === 0) a++;
    while (b > a && row[b - 1] === 0) b--;
    return { start: a, weights: row.slice(a, b) };
  });
}

/** python_speech_features.base.get_filterbanks. */
function psfFilters(o: MfccOptions, highFreq: number): SparseFilter[] {
  const toMel = o.melScale === 'htk' ? hzToMelHtk : hzToMelSlaney;
  const toHz = o.melScale === 'htk' ? melToHzHtk : melToHzSlaney;
  const mels = linspace(toMel(o.lowFreq), toMel(highFreq), o.numFilters + 2);
  const bin = Array.from(mels, (m) => Math.floor(((o.nfft + 1) * toHz(m)) / o.sampleRate));
  const rows: Float64Array[] = [];
  for (let j = 0; j < o.numFilters; j++) {
    const row = new Float64Array(Math.floor(o.nfft / 2) + 1);
    const [l, c, r] = [bin[j]!, bin[j + 1]!, bin[j + 2]!];
    for (let i = l; i < c; i++) row[i] = (i - l) / (c - l);
    for (let i = c; i < r; i++) row[i] = (r - i) / (r - c);
    rows.push(row);
  }
  return sparsify(rows);
}

/** librosa.filters.mel (triangles in Hz between mel-spaced points, optional Slaney area norm). */
function librosaFilters(o: MfccOptions, highFreq: number): SparseFilter[] {
  const toMel = o.melScale === 'htk' ? hzToMelHtk : hzToMelSlaney;
  const toHz = o.melScale === 'htk' ? melToHzHtk : melToHzSlaney;
  const bins = Math.floor(o.nfft / 2) + 1;
  const fftFreqs = linspace(0, o.sampleRate / 2, bins);
  const melF = Array.from(linspace(toMel(o.lowFreq), toMel(highFreq), o.numFilters + 2), toHz);
  const rows: Float64Array[] = [];
  for (let j = 0; j < o.numFilters; j++) {
    const row = new Float64Array(bins);
    const [l, c, r] = [melF[j]!, melF[j + 1]!, melF[j + 2]!];
    const norm = o.filterNorm === 'slaney' ? 2 / (r - l) : 1;
    for (let i = 0; i < bins; i++) {
      const lower = (fftFreqs[i]! - l) / (c - l);
      const upper = (r - fftFreqs[i]!) / (r - c);
      row[i] = Math.max(0, Math.min(lower, upper)) * norm;
    }
    rows.push(row);
  }
  return sparsify(rows);
}

/** Kaldi MelBanks: triangles linear in mel (1127·ln(1 + f/700)) over bins 0 … nfft/2 − 1. */
function kaldiFilters(o: MfccOptions, highFreq: number): SparseFilter[] {
  const mel = (hz: number): number => 1127 * Math.log(1 + hz / 700);
  const bins = Math.floor(o.nfft / 2);
  const binWidth = o.sampleRate / o.nfft;
  const melLow = mel(o.lowFreq);
  const delta = (mel(highFreq) - melLow) / (o.numFilters + 1);
  const rows: Float64Array[] = [];
  for (let j = 0; j < o.numFilters; j++) {
    const row = new Float64Array(bins + 1);
    const left = melLow + j * delta;
    const center = melLow + (j + 1) * delta;
    const right = melLow + (j + 2) * delta;
    for (let i = 0; i < bins; i++) {
      const m = mel(binWidth * i);
      if (m > left && m < right)
        row[i] = m <= center ? (m - left) / (center - left) : (right - m) / (right - center);
    }
    rows.push(row);
  }
  return sparsify(rows);
}
