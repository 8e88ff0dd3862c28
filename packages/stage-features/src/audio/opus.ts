import { OggOpusDecoder } from 'ogg-opus-decoder';
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

/** Walks the Ogg pages: a page running past the end, or no end-of-stream page, means truncation. */
export function checkOggPages(bytes: Uint8Array): void {
  let p = 0;
  let sawEos = false;
  while (p < bytes.length) {
    if (p + 27 > bytes.length) throw new PcmLayoutError('truncated', `Ogg page header cut at byte ${p}`);
    if (ascii(bytes, p, 4) !== 'OggS') throw new PcmLayoutError('corrupt', `no Ogg page sync at byte ${p}`);
    sawEos = (bytes[p + 5]! & 0x04) !== 0;
    const segments = bytes[p + 26]!;
    if (p + 27 + segments > bytes.length) throw new PcmLayoutError('truncated', `Ogg segment table cut at byte ${p}`);
    let body = 0;
    for (let i = 0; i < segments; i++) body += bytes[p + 27 + i]!;
    const end = p + 27 + segments + body;
    if (end > bytes.length) throw new PcmLayoutError('truncated', `Ogg page at byte ${p} runs ${end - bytes.length} bytes past the end`);
    p = end;
  }
  if (!sawEos) throw new PcmLayoutError('truncated', 'the last Ogg page is not flagged end-of-stream');
}

/** Decodes Ogg Opus (always 48 kHz output, as Opus decoders do). */
export async function decodeOggOpus(bytes: Uint8Array): Promise<DecodedPcm> {
  checkOggPages(bytes);
  const decoder = new OggOpusDecoder();
  try {
    await decoder.ready;
    const decoded = await decoder.decodeFile(bytes);
    if (decoded.errors.length > 0) {
      const first = decoded.errors[0];
      throw new PcmLayoutError('corrupt', `Opus: ${first?.message ?? 'decode error'} (${decoded.errors.length} errors)`);
    }
    const n = decoded.samplesDecoded;
    return { channels: decoded.channelData.map((ch) => ch.subarray(0, n)), sampleRate: decoded.sampleRate };
  } finally {
    decoder.free();
  }
}
