import type { FLACDecoder } from '@wasm-audio-decoders/flac';
import type { DecodedPcm } from './decoded.ts';
import { firstFrameOffset, splitFlacFrames } from './flac-frames.ts';
import { PcmLayoutError } from './pcm.ts';
import { ascii } from './wav.ts';

/** `fLaC`, optionally after an ID3v2 tag. Returns the offset of the magic or -1. */
export function flacStart(bytes: Uint8Array): number {
  let p = 0;
  if (ascii(bytes, 0, 3) === 'ID3' && bytes.length >= 10) {
    const size =
      ((bytes[6]! & 0x7f) << 21) |
      ((bytes[7]! & 0x7f) << 14) |
      ((bytes[8]! & 0x7f) << 7) |
      (bytes[9]! & 0x7f);
    p = 10 + size;
  }
  return ascii(bytes, p, 4) === 'fLaC' ? p : -1;
}

interface StreamInfo {
  sampleRate: number;
  channels: number;
  bits: number;
  /** 0 when the encoder did not know it. */
  totalSamples: number;
}

function readStreamInfo(bytes: Uint8Array, start: number): StreamInfo {
  const p = start + 4;
  if (p + 4 + 34 > bytes.length)
    throw new PcmLayoutError('truncated', 'file ends inside the STREAMINFO block');
  if ((bytes[p]! & 0x7f) !== 0)
    throw new PcmLayoutError('corrupt', 'first FLAC metadata block is not STREAMINFO');
  const s = p + 4;
  const b = (i: number): number => bytes[s + i]!;
  const sampleRate = (b(10) << 12) | (b(11) << 4) | (b(12) >> 4);
  const channels = ((b(12) >> 1) & 0x07) + 1;
  const bits = (((b(12) & 0x01) << 4) | (b(13) >> 4)) + 1;
  const totalSamples =
    (b(13) & 0x0f) * 2 ** 32 + ((b(14) << 24) >>> 0) + (b(15) << 16) + (b(16) << 8) + b(17);
  if (sampleRate === 0) throw new PcmLayoutError('corrupt', 'STREAMINFO sample rate is 0');
  return { sampleRate, channels, bits, totalSamples };
}

// One decoder per thread, reused while files share their stream format: creating or resetting
// one instantiates the wasm module and its heap, most of the cost of a short file. Decodes run
// one after another; a decoder that reported errors is dropped.
let shared: { key: string; decoder: Promise<FLACDecoder> } | undefined;
let queue: Promise<unknown> = Promise.resolve();

function withDecoder<T extends { errors: unknown[] }>(
  key: string,
  use: (decoder: FLACDecoder) => Promise<T>,
): Promise<T> {
  const run = queue.then(async () => {
    if (shared?.key !== key) {
      if (shared) (await shared.decoder).free();
      // The wasm decoder loads on the first FLAC file, not with the plugin.
      const { FLACDecoder } = await import('@wasm-audio-decoders/flac');
      const decoder = new FLACDecoder();
      shared = { key, decoder: decoder.ready.then(() => decoder) };
    }
    const decoder = await shared.decoder;
    let healthy = false;
    try {
      const result = await use(decoder);
      healthy = result.errors.length === 0;
      return result;
    } finally {
      if (!healthy) {
        shared = undefined;
        decoder.free();
      }
    }
  });
  queue = run.catch(() => undefined);
  return run;
}

/**
 * Decodes FLAC with the libFLAC wasm build. The decoder scales integers by 1/(2^(bits-1) - 1);
 * samples are re-quantised to integers and divided by 2^(bits-1) so the output equals
 * libsndfile's (`soundfile.read`) bit for bit at 16 bits.
 */
export async function decodeFlac(bytes: Uint8Array, start: number): Promise<DecodedPcm> {
  const info = readStreamInfo(bytes, start);
  const frames = splitFlacFrames(bytes, firstFrameOffset(bytes, start));
  const format = `${info.sampleRate}:${info.bits}:${info.channels}`;
  const decoded = await withDecoder(format, (decoder) => decoder.decodeFrames(frames));
  if (decoded.errors.length > 0) {
    const first = decoded.errors[0];
    throw new PcmLayoutError(
      'corrupt',
      `libFLAC: ${first?.message ?? 'decode error'} (${decoded.errors.length} errors)`,
    );
  }
  const got = decoded.samplesDecoded;
  if (info.totalSamples > 0 && got < info.totalSamples) {
    throw new PcmLayoutError(
      'truncated',
      `decoded ${got} of the ${info.totalSamples} samples STREAMINFO declares`,
    );
  }
  if (got === 0 && info.totalSamples !== 0) throw new PcmLayoutError('corrupt', 'no decodable FLAC frames');
  const bits = decoded.bitDepth || info.bits;
  const decoderScale = 2 ** (bits - 1) - 1;
  const trueScale = 1 / 2 ** (bits - 1);
  const channels = decoded.channelData.map((ch) => {
    const out = new Float32Array(got);
    for (let i = 0; i < got; i++) {
      const v = ch[i]! * decoderScale;
      // Round to nearest (|v| < 2^31): cheaper than Math.round in this hot loop.
      out[i] = (v < 0 ? -((0.5 - v) | 0) : (v + 0.5) | 0) * trueScale;
    }
    return out;
  });
  return { channels, sampleRate: decoded.sampleRate || info.sampleRate };
}
