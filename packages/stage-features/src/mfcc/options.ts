/** Window shapes. `povey` is Kaldi's (a Hann window raised to 0.85). */
export type WindowName = 'hamming' | 'hann' | 'povey' | 'rectangular';

/**
 * Everything the MFCC pipeline does, so that one implementation reproduces
 * python_speech_features, librosa and Kaldi (see {@link mfccPresets}).
 */
export interface MfccOptions {
  /** Rate the samples are at (Hz). */
  sampleRate: number;
  /** Cepstral coefficients kept (C0 included). */
  numCeps: number;
  /** Analysis window length, samples. */
  winLength: number;
  /** Hop between frames, samples. */
  hopLength: number;
  /** FFT size (≥ winLength); frames are zero-padded to it. */
  nfft: number;
  window: WindowName;
  /** Periodic (DFT-even, N in the cosine) instead of symmetric (N-1) window. */
  periodicWindow: boolean;
  /** Pre-emphasis coefficient (0 = none). */
  preEmphasis: number;
  /** Apply pre-emphasis inside each frame (Kaldi) instead of once over the signal. */
  preEmphasisPerFrame: boolean;
  /** Subtract each frame's mean before windowing (Kaldi). */
  removeDcOffset: boolean;
  /**
   * `pad-end`: zero-pad so the last partial frame is kept (python_speech_features).
   * `snip-edges`: only whole frames (Kaldi). `center`: frames centred on t·hop with zero padding
   * of nfft/2 on both sides (librosa `center=True, pad_mode='constant'`).
   */
  framing: 'pad-end' | 'snip-edges' | 'center';
  /** Divide the power spectrum by nfft (python_speech_features' `powspec`). */
  powerPerNfft: boolean;
  numFilters: number;
  lowFreq: number;
  /** Upper edge of the filterbank (Hz); null = Nyquist. */
  highFreq: number | null;
  /**
   * How triangles are laid out: `psf` on floored FFT-bin indices, `librosa` in Hz between mel
   * points, `kaldi` in the mel domain over bins below Nyquist.
   */
  filterbank: 'psf' | 'librosa' | 'kaldi';
  melScale: 'htk' | 'slaney';
  /** `slaney`: scale each triangle to unit area (librosa's default `norm='slaney'`). */
  filterNorm: 'none' | 'slaney';
  /** `ln`: natural log; `db`: 10·log10 (librosa power_to_db with ref 1). */
  log: 'ln' | 'db';
  /** Energies are clamped to at least this before the log. */
  logFloor: number;
  /** `db` only: clamp to (utterance max − topDb); null = no clamp. */
  topDb: number | null;
  /**
   * Replace C0 by the log energy of each frame taken after DC removal and before pre-emphasis
   * and windowing (Kaldi `use_energy=true, raw_energy=true`), floored at `logFloor`.
   */
  useEnergy: boolean;
  /** Sinusoidal lifter parameter (0 = none). */
  lifter: number;
  /** Multiplies the input samples first (Kaldi works on 16-bit integer magnitudes: 32768). */
  inputScale: number;
}

/** MFCCs, frames × dims, row-major. */
export interface MfccMatrix {
  data: Float32Array;
  frames: number;
  dims: number;
}
