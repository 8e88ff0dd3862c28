import type { DecodedPcm } from './decoded.ts';
import { bytesPerSample, deinterleave, PcmLayoutError, type SampleFormat } from './pcm.ts';

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Sizes written by streaming encoders (ffmpeg to a pipe) that do not know the length up front. */
const UNKNOWN_SIZES = new Set([0, 0xffffffff]);

export function isWav(bytes: Uint8Array): boolean {
  return ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WAVE';
}

/** Codec tag of a WAV file, or undefined when it is PCM / float that {@link parseWav} reads. */
export function unsupportedWavCodec(bytes: Uint8Array): number | undefined {
  const fmt = findChunk(bytes, 'fmt ');
  if (!fmt || fmt.size < 16) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let tag = view.getUint16(fmt.offset, true);
  if (tag === WAVE_FORMAT_EXTENSIBLE && fmt.size >= 26) tag = view.getUint16(fmt.offset + 24, true);
  return tag === WAVE_FORMAT_PCM || tag === WAVE_FORMAT_IEEE_FLOAT ? undefined : tag;
}

/** Parses RIFF/WAVE with PCM 8/16/24/32-bit, IEEE float 32/64 or WAVE_FORMAT_EXTENSIBLE of those. */
export function parseWav(bytes: Uint8Array): DecodedPcm {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fmt = findChunk(bytes, 'fmt ');
  if (!fmt) throw new PcmLayoutError('corrupt', 'RIFF/WAVE without a "fmt " chunk');
  if (fmt.size < 16 || fmt.offset + 16 > bytes.length)
    throw new PcmLayoutError('truncated', '"fmt " chunk is cut short');
  let tag = view.getUint16(fmt.offset, true);
  const channels = view.getUint16(fmt.offset + 2, true);
  const sampleRate = view.getUint32(fmt.offset + 4, true);
  const blockAlign = view.getUint16(fmt.offset + 12, true);
  const bits = view.getUint16(fmt.offset + 14, true);
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (fmt.size < 40)
      throw new PcmLayoutError('corrupt', 'WAVE_FORMAT_EXTENSIBLE "fmt " chunk shorter than 40 bytes');
    tag = view.getUint16(fmt.offset + 24, true);
  }
  if (channels === 0 || sampleRate === 0) {
    throw new PcmLayoutError('corrupt', `"fmt " says ${channels} channels at ${sampleRate} Hz`);
  }
  // Samples narrower than their container (e.g. 20 bits in 3 bytes) are left-justified in it.
  const format = sampleFormat(tag, tag === WAVE_FORMAT_PCM ? Math.ceil(bits / 8) * 8 : bits);
  const width = bytesPerSample(format);
  if (blockAlign !== width * channels) {
    throw new PcmLayoutError(
      'corrupt',
      `block align ${blockAlign} does not match ${channels} × ${bits}-bit samples`,
    );
  }
  const data = findChunk(bytes, 'data');
  if (!data) throw new PcmLayoutError('truncated', 'no "data" chunk (file ends after the header)');
  let size = data.size;
  const available = bytes.length - data.offset;
  if (UNKNOWN_SIZES.has(size) && available > 0) size = available - (available % blockAlign);
  if (size > available) {
    throw new PcmLayoutError('truncated', `"data" chunk declares ${size} bytes but only ${available} follow`);
  }
  const frames = Math.floor(size / blockAlign);
  return { channels: deinterleave(view, data.offset, frames, channels, format, true), sampleRate };
}

function sampleFormat(tag: number, bits: number): SampleFormat {
  if (tag === WAVE_FORMAT_PCM) {
    if (bits === 8) return 'uint8';
    if (bits === 16) return 'int16';
    if (bits === 24) return 'int24';
    if (bits === 32) return 'int32';
  } else if (tag === WAVE_FORMAT_IEEE_FLOAT) {
    if (bits === 32) return 'float32';
    if (bits === 64) return 'float64';
  }
  throw new PcmLayoutError(
    'unsupported',
    `WAV codec 0x${tag.toString(16).padStart(4, '0')} with ${bits}-bit samples`,
  );
}

interface Chunk {
  offset: number;
  size: number;
}

/** Walks the RIFF chunk list (chunks are padded to even sizes). A `data` chunk may run past the end. */
function findChunk(bytes: Uint8Array, id: string): Chunk | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 12;
  while (p + 8 <= bytes.length) {
    const size = view.getUint32(p + 4, true);
    if (ascii(bytes, p, 4) === id) return { offset: p + 8, size };
    p += 8 + size + (size & 1);
  }
  return undefined;
}

export function ascii(bytes: Uint8Array, offset: number, length: number): string {
  let s = '';
  for (let i = offset; i < offset + length && i < bytes.length; i++)
    s += String.fromCharCode(bytes[i] as number);
  return s;
}
