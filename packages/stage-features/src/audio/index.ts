export { BadAudioError, type BadAudioReason, isBadAudioError } from './bad-audio.ts';
export { DEFAULT_TARGET_RATE, type DecodeOptions, decodeAudioBuffer, decodeAudioFile } from './decode.ts';
export type { DecodedAudio } from './decoded.ts';
export { type EncodeWavOptions, encodeWav } from './encode-wav.ts';
export { type ResampleOptions, type ResampleQuality, resample } from './resample.ts';
