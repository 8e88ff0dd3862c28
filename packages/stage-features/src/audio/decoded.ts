/** Audio as decoded from a container, before downmix and resampling. */
export interface DecodedPcm {
  /** One Float32Array per channel, samples in [-1, 1). */
  channels: Float32Array[];
  sampleRate: number;
  /** Rate of the audio before encoding when it differs from the decode rate (Opus). */
  sourceRate?: number;
}

/** Mono audio at its final rate, as returned by `decodeAudioFile`. */
export interface DecodedAudio {
  samples: Float32Array;
  /** Rate of `samples` (the target rate when one was asked for). */
  sampleRate: number;
  /** Rate of the stored audio before resampling (for Opus: the encoder's input rate). */
  sourceRate: number;
  /** Channel count of the stored audio (averaged into mono). */
  channels: number;
  durationSec: number;
}
