import type { OggOpusDecoder } from 'ogg-opus-decoder';
import type { DecodedPcm } from './decoded.ts';
import { PcmLayoutError } from './pcm.ts';
import { ascii } from './wav.ts';

export function isOgg(bytes: Uint8Array): boolean {
  return ascii(bytes, 0, 4) === 'OggS';
}

/** The first Ogg page carries the codec's identification header (`OpusHead`, `\x01vorbis`, ...). */
export function isOggOpus(bytes: Uint8Array): boolean {
  if (!isOgg(bytes) || bytes.length < 28) return false;
  const segments = bytes[26]!;
  return ascii(bytes, 27 + segments, 8) === 'OpusHead';
}

const OGG_CRC = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/** Ogg's CRC-32 of a page, computed with its own checksum field (bytes 22–25) taken as zero. */
function pageCrc(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let p = start; p < end; p++) {
    const b = p >= start + 22 && p < start + 26 ? 0 : bytes[p]!;
    crc = ((crc << 8) ^ OGG_CRC[((crc >>> 24) ^ b) & 0xff]!) >>> 0;
  }
  return crc;
}

/**
 * Walks the Ogg pages: a page running past the end, or no end-of-stream page, means truncation;
 * a page whose CRC-32 does not match means corruption.
 */
export function checkOggPages(bytes: Uint8Array): void {
  let p = 0;
  let sawEos = false;
  while (p < bytes.length) {
    if (p + 27 > bytes.length) throw new PcmLayoutError('truncated', `Ogg page header cut at byte ${p}`);
    if (ascii(bytes, p, 4) !== 'OggS') throw new PcmLayoutError('corrupt', `no Ogg page sync at byte ${p}`);
    sawEos = (bytes[p + 5]! & 0x04) !== 0;
    const segments = bytes[p + 26]!;
    if (p + 27 + segments > bytes.length)
      throw new PcmLayoutError('truncated', `Ogg segment table cut at byte ${p}`);
    let body = 0;
    for (let i = 0; i < segments; i++) body += bytes[p + 27 + i]!;
    const end = p + 27 + segments + body;
    if (end > bytes.length)
      throw new PcmLayoutError(
        'truncated',
        `Ogg page at byte ${p} runs ${end - bytes.length} bytes past the end`,
      );
    const stored = new DataView(bytes.buffer, bytes.byteOffset).getUint32(p + 22, true);
    if (pageCrc(bytes, p, end) !== stored)
      throw new PcmLayoutError('corrupt', `CRC-32 mismatch in the Ogg page at byte ${p}`);
    p = end;
  }
  if (!sawEos) throw new PcmLayoutError('truncated', 'the last Ogg page is not flagged end-of-stream');
}

/** Rates libopus decodes to natively (it resamples internally, as libsndfile uses it). */
export const OPUS_NATIVE_RATES: readonly number[] = [8000, 12000, 16000, 24000, 48000];

/** `input_sample_rate` of the OpusHead: the rate the audio had before encoding (0 = unknown). */
export function opusInputRate(bytes: Uint8Array): number {
  const p = 27 + bytes[26]! + 12;
  return p + 4 <= bytes.length ? new DataView(bytes.buffer, bytes.byteOffset).getUint32(p, true) : 0;
}

/**
 * Decodes Ogg Opus at `rate` when libopus supports it natively (8/12/16/24/48 kHz), else at
 * 48 kHz. `sampleRate` of the result is the decode rate.
 */
export async function decodeOggOpus(bytes: Uint8Array, rate = 48000): Promise<DecodedPcm> {
  checkOggPages(bytes);
  const sampleRate = OPUS_NATIVE_RATES.includes(rate) ? rate : 48000;
  // `sampleRate` is implemented by ogg-opus-decoder 1.7 but missing from its type declarations.
  const { OggOpusDecoder } = await import('ogg-opus-decoder'); // loads on the first Ogg Opus file
  const decoder = new OggOpusDecoder({ sampleRate } as ConstructorParameters<typeof OggOpusDecoder>[0]);
  try {
    await decoder.ready;
    const decoded = await decoder.decodeFile(bytes);
    if (decoded.errors.length > 0) {
      const first = decoded.errors[0];
      throw new PcmLayoutError(
        'corrupt',
        `Opus: ${first?.message ?? 'decode error'} (${decoded.errors.length} errors)`,
      );
    }
    const n = decoded.samplesDecoded;
    return { channels: decoded.channelData.map((ch) => ch.subarray(0, n)), sampleRate };
  } finally {
    decoder.free();
  }
}
