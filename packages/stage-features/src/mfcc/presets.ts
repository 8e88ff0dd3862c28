import type { MfccOptions } from './options.ts';

/**
 * `python_speech_features` (default; the paper's recipe): `mfcc(signal, 16000, 0.025, 0.01,
 * numcep=40, nfilt=40, nfft=512, preemph=0.97, ceplifter=0, appendEnergy=False,
 * winfunc=numpy.hamming)`: HTK mel 0–8000 Hz, natural log floored at float64 eps, orthonormal
 * DCT-II, C0 kept, no lifter.
 */
const pythonSpeechFeatures: MfccOptions = {
  sampleRate: 16000,
  numCeps: 40,
  winLength: 400,
  hopLength: 160,
  nfft: 512,
  window: 'hamming',
  periodicWindow: false,
  preEmphasis: 0.97,
  preEmphasisPerFrame: false,
  removeDcOffset: false,
  framing: 'pad-end',
  powerPerNfft: true,
  numFilters: 40,
  lowFreq: 0,
  highFreq: null,
  filterbank: 'psf',
  melScale: 'htk',
  filterNorm: 'none',
  log: 'ln',
  logFloor: 2.220446049250313e-16,
  topDb: null,
  lifter: 0,
  useEnergy: false,
  inputScale: 1,
};

/**
 * `librosa.feature.mfcc(y=y, sr=16000, n_mfcc=40)` defaults: n_fft 2048, hop 512, periodic Hann,
 * centred frames, 128 Slaney mel filters with Slaney area norm, power_to_db (amin 1e-10,
 * top_db 80), orthonormal DCT-II.
 */
const librosa: MfccOptions = {
  ...pythonSpeechFeatures,
  winLength: 2048,
  hopLength: 512,
  nfft: 2048,
  window: 'hann',
  periodicWindow: true,
  preEmphasis: 0,
  framing: 'center',
  powerPerNfft: false,
  numFilters: 128,
  filterbank: 'librosa',
  melScale: 'slaney',
  filterNorm: 'slaney',
  log: 'db',
  logFloor: 1e-10,
  topDb: 80,
};

/**
 * Kaldi `compute-mfcc-feats` / torchaudio.compliance.kaldi.mfcc defaults (25 ms / 10 ms, povey
 * window, DC removal, per-frame pre-emphasis 0.97, snip edges, FFT 512, low 20 Hz, lifter 22,
 * C0 = raw log energy (Kaldi's `use_energy`; torchaudio turns it off), dither 0 so the features are
 * deterministic) with 40 mel bins and 40 ceps (Kaldi's 23/13 would not give 40 dims), on
 * 16-bit integer magnitudes as Kaldi reads WAV.
 */
const kaldi: MfccOptions = {
  ...pythonSpeechFeatures,
  preEmphasisPerFrame: true,
  removeDcOffset: true,
  window: 'povey',
  framing: 'snip-edges',
  powerPerNfft: false,
  lowFreq: 20,
  filterbank: 'kaldi',
  logFloor: 1.1920928955078125e-7,
  lifter: 22,
  useEnergy: true,
  inputScale: 32768,
};

export const mfccPresets = {
  python_speech_features: pythonSpeechFeatures,
  librosa,
  kaldi,
} as const satisfies Record<string, MfccOptions>;

export type MfccPresetName = keyof typeof mfccPresets;

export const DEFAULT_MFCC_PRESET: MfccPresetName = 'python_speech_features';

/** A preset (default `python_speech_features`) with overrides. */
export function resolveMfccOptions(
  options: Partial<MfccOptions> & { preset?: MfccPresetName } = {},
): MfccOptions {
  const { preset = DEFAULT_MFCC_PRESET, ...overrides } = options;
  const base = mfccPresets[preset];
  if (!base)
    throw new RangeError(`unknown MFCC preset "${preset}" (known: ${Object.keys(mfccPresets).join(', ')})`);
  return { ...base, ...overrides };
}
