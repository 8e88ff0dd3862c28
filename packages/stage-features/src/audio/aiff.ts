import type { DecodedPcm } from './decoded.ts';
import { bytesPerSample, deinterleave, PcmLayoutError, type SampleFormat } from './pcm.ts';
import { ascii } from './wav.ts';

export function isAiff(bytes: Uint8Array): boolean {
  const form = ascii(bytes, 8, 4);
  return ascii(bytes, 0, 4) === 'FORM' && (form === 'AIFF' || form === 'AIFC');
}

/** Parses AIFF and AIFC (`NONE`/`twos`/`sowt` PCM, `fl32`/`fl64` float), 8–32-bit. */
export function parseAiff(bytes: Uint8Array): DecodedPcm {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const isAifc = ascii(bytes, 8, 4) === 'AIFC';
  const comm = findChunk(bytes, 'COMM');
  if (!comm) throw new PcmLayoutError('corrupt', 'FORM/AIFF without a COMM chunk');
  if (comm.offset + 18 > bytes.length) throw new PcmLayoutError('truncated', 'COMM chunk is cut short');
  const channels = view.getInt16(comm.offset, false);
  const frames = view.getUint32(comm.offset + 2, false);
  const bits = view.getInt16(comm.offset + 6, false);
  // Rates like TDT hardware's 24414.0625 Hz are stored as such; the nearest integer is within ppm.
  const sampleRate = Math.round(extended80(view, comm.offset + 8));
  const compression = isAifc && comm.size >= 22 ? ascii(bytes, comm.offset + 18, 4) : 'NONE';
  if (channels <= 0 || !(sampleRate > 0)) {
    throw new PcmLayoutError('corrupt', `COMM says ${channels} channels at ${sampleRate} Hz`);
  }
  const { format, littleEndian } = sampleFormat(compression, bits);
  const ssnd = findChunk(bytes, 'SSND');
  if (!ssnd) {
    if (frames === 0)
      return { channels: Array.from({ length: channels }, () => new Float32Array(0)), sampleRate };
    throw new PcmLayoutError('truncated', 'no SSND chunk (file ends after the header)');
  }
  const dataOffset = ssnd.offset + 8 + view.getUint32(ssnd.offset, false);
  const needed = frames * channels * bytesPerSample(format);
  const available = bytes.length - dataOffset;
  if (needed > available) {
    throw new PcmLayoutError(
      'truncated',
      `COMM declares ${frames} frames (${needed} bytes) but only ${available} bytes follow`,
    );
  }
  return { channels: deinterleave(view, dataOffset, frames, channels, format, littleEndian), sampleRate };
}

function sampleFormat(compression: string, bits: number): { format: SampleFormat; littleEndian: boolean } {
  const pcm = compression === 'NONE' || compression === 'twos' || compression === 'sowt';
  if (pcm) {
    const littleEndian = compression === 'sowt';
    if (bits === 8) return { format: 'int8', littleEndian };
    if (bits === 16) return { format: 'int16', littleEndian };
    if (bits === 24) return { format: 'int24', littleEndian };
    if (bits === 32) return { format: 'int32', littleEndian };
  }
  if (compression === 'fl32' || compression === 'FL32') return { format: 'float32', littleEndian: false };
  if (compression === 'fl64' || compression === 'FL64') return { format: 'float64', littleEndian: false };
  throw new PcmLayoutError('unsupported', `AIFF compression "${compression}" with ${bits}-bit samples`);
}

/** IEEE 754 80-bit extended (the AIFF sample-rate field). */
function extended80(view: DataView, p: number): number {
  const signExp = view.getUint16(p, false);
  const hi = view.getUint32(p + 2, false);
  const lo = view.getUint32(p + 6, false);
  const exponent = (signExp & 0x7fff) - 16383;
  const mantissa = hi * 2 ** 32 + lo;
  const value = mantissa * 2 ** (exponent - 63);
  return signExp & 0x8000 ? -value : value;
}

function findChunk(bytes: Uint8Array, id: string): { offset: number; size: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 12;
  while (p + 8 <= bytes.length) {
    const size = view.getUint32(p + 4, false);
    if (ascii(bytes, p, 4) === id) return { offset: p + 8, size };
    p += 8 + size + (size & 1);
  }
  return undefined;
}
