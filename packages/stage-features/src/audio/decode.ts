import { readFile } from 'node:fs/promises';
import { ErrorCodes, SerxError } from '@serx/core';
import { isAiff, parseAiff } from './aiff.ts';
import { BadAudioError } from './bad-audio.ts';
import type { DecodedAudio, DecodedPcm } from './decoded.ts';
import { decodeWithFfmpeg } from './ffmpeg.ts';
import { decodeFlac, flacStart } from './flac.ts';
import { decodeOggOpus, isOggOpus, opusInputRate } from './opus.ts';
import { downmix, PcmLayoutError } from './pcm.ts';
import { type ResampleQuality, resample } from './resample.ts';
import { isWav, parseWav, unsupportedWavCodec } from './wav.ts';

export interface DecodeOptions {
  /** Output rate; default 16000. `null` keeps the stored rate. */
  targetRate?: number | null;
  /** Resampler quality; default `medium` (libsamplerate SRC_SINC_MEDIUM_QUALITY). */
  quality?: ResampleQuality;
  /**
   * A mono mix whose peak magnitude is at or below this is `silent`. Default 1/32768: nothing
   * louder than one 16-bit step.
   */
  silencePeak?: number;
  /** ffmpeg executable for formats decoded outside JS; default `ffmpeg` (looked up on PATH). */
  ffmpeg?: string;
}

export const DEFAULT_TARGET_RATE = 16000;
/** Stored rates outside this range are damaged headers (or, above, beyond the resampler). */
const MIN_RATE = 1000;
const MAX_RATE = 192000;

/** Reads and decodes an audio file; the format is detected from its content, not its name. */
export async function decodeAudioFile(path: string, options: DecodeOptions = {}): Promise<DecodedAudio> {
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new SerxError(
      ErrorCodes.INPUT_DATA,
      `${path}: cannot read audio file (${error.code ?? error.message})`,
      { cause: error },
    );
  });
  return decodeBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path, options, true);
}

/**
 * Decodes audio bytes (WAV, AIFF/AIFC, FLAC, Ogg Opus in JS/wasm; anything else through ffmpeg)
 * to mono float samples at `targetRate`. Fails with {@link BadAudioError} (`INPUT_DATA`, with the
 * path and a reason) for empty, truncated, corrupt, unsupported or silent audio.
 */
export function decodeAudioBuffer(
  bytes: Uint8Array,
  options: DecodeOptions & { path?: string } = {},
): Promise<DecodedAudio> {
  return decodeBytes(bytes, options.path ?? '<buffer>', options, false);
}

async function decodeBytes(
  bytes: Uint8Array,
  path: string,
  options: DecodeOptions,
  onDisk: boolean,
): Promise<DecodedAudio> {
  if (bytes.length === 0) throw new BadAudioError(path, 'empty', 'the file has 0 bytes');
  const targetRate = options.targetRate === undefined ? DEFAULT_TARGET_RATE : options.targetRate;
  const pcm = await decodeContainer(bytes, path, options.ffmpeg, onDisk, targetRate ?? undefined);
  if (!(pcm.sampleRate >= MIN_RATE && pcm.sampleRate <= MAX_RATE)) {
    const reason = pcm.sampleRate > MAX_RATE ? 'unsupported' : 'corrupt';
    throw new BadAudioError(
      path,
      reason,
      `sample rate ${pcm.sampleRate} Hz is outside ${MIN_RATE}–${MAX_RATE} Hz`,
    );
  }
  const first = pcm.channels[0];
  if (!first || first.length === 0) throw new BadAudioError(path, 'empty', 'it holds no audio samples');
  const mono = downmix(pcm.channels);
  const peak = peakOf(mono);
  if (!Number.isFinite(peak)) {
    const at = mono.findIndex((v) => !Number.isFinite(v));
    throw new BadAudioError(path, 'corrupt', `non-finite sample (${mono[at]}) at sample ${at}`);
  }
  const silencePeak = options.silencePeak ?? 1 / 32768;
  if (peak <= silencePeak) {
    throw new BadAudioError(
      path,
      'silent',
      `peak amplitude ${peak.toExponential(2)} ≤ ${silencePeak.toExponential(2)}`,
    );
  }
  const rate = targetRate ?? pcm.sampleRate;
  const quality = options.quality === undefined ? {} : { quality: options.quality };
  const samples = rate === pcm.sampleRate ? mono : await resample(mono, pcm.sampleRate, rate, quality);
  return {
    samples,
    sampleRate: rate,
    sourceRate: pcm.sourceRate ?? pcm.sampleRate,
    channels: pcm.channels.length,
    durationSec: mono.length / pcm.sampleRate,
  };
}

async function decodeContainer(
  bytes: Uint8Array,
  path: string,
  ffmpeg: string | undefined,
  onDisk: boolean,
  preferredRate: number | undefined,
): Promise<DecodedPcm> {
  try {
    return await decodeInJs(bytes, preferredRate);
  } catch (error) {
    if (!(error instanceof PcmLayoutError)) throw error;
    // A codec we do not decode ourselves (ADPCM WAV, compressed AIFC, MP3, AAC...): ffmpeg's turn.
    if (error.reason === 'unsupported') return decodeWithFfmpeg(bytes, path, ffmpeg, onDisk);
    throw new BadAudioError(path, error.reason, error.message);
  }
}

async function decodeInJs(bytes: Uint8Array, preferredRate: number | undefined): Promise<DecodedPcm> {
  if (isWav(bytes)) {
    const codec = unsupportedWavCodec(bytes);
    if (codec !== undefined)
      throw new PcmLayoutError('unsupported', `WAV codec 0x${codec.toString(16).padStart(4, '0')}`);
    return parseWav(bytes);
  }
  if (isAiff(bytes)) return parseAiff(bytes);
  const flac = flacStart(bytes);
  if (flac >= 0) return decodeFlac(bytes, flac);
  if (isOggOpus(bytes)) {
    const pcm = await decodeOggOpus(bytes, preferredRate);
    return { ...pcm, sourceRate: opusInputRate(bytes) || pcm.sampleRate };
  }
  throw new PcmLayoutError('unsupported', 'not WAV, AIFF, FLAC or Ogg Opus');
}

function peakOf(samples: Float32Array): number {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const a = Math.abs(samples[i]!);
    if (a > peak) peak = a;
    else if (Number.isNaN(a)) return a;
  }
  return peak;
}
