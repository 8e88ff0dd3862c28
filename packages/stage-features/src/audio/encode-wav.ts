import type { SampleFormat } from './pcm.ts';
import { bytesPerSample } from './pcm.ts';

export interface EncodeWavOptions {
  sampleRate: number;
  /** Sample encoding; default `int16`. `int8` is not a WAV format (8-bit WAV is unsigned). */
  format?: Exclude<SampleFormat, 'int8'>;
  /** Write WAVE_FORMAT_EXTENSIBLE instead of a plain PCM / float header. */
  extensible?: boolean;
}

/**
 * Encodes channels (each Float32Array in [-1, 1]) as a RIFF/WAVE file; used to generate fixture
 * audio. Integer formats round to nearest and clip.
 */
export function encodeWav(channels: Float32Array[], options: EncodeWavOptions): Uint8Array {
  const format = options.format ?? 'int16';
  const n = channels[0]?.length ?? 0;
  const nch = channels.length;
  const width = bytesPerSample(format);
  const isFloat = format === 'float32' || format === 'float64';
  const fmtSize = options.extensible ? 40 : 16;
  const dataSize = n * nch * width;
  const bytes = new Uint8Array(12 + 8 + fmtSize + 8 + dataSize + (dataSize & 1));
  const view = new DataView(bytes.buffer);
  const text = (p: number, s: string): void => {
    for (let i = 0; i < s.length; i++) bytes[p + i] = s.charCodeAt(i);
  };
  text(0, 'RIFF');
  view.setUint32(4, bytes.length - 8, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, fmtSize, true);
  const tag = isFloat ? 3 : 1;
  view.setUint16(20, options.extensible ? 0xfffe : tag, true);
  view.setUint16(22, nch, true);
  view.setUint32(24, options.sampleRate, true);
  view.setUint32(28, options.sampleRate * nch * width, true);
  view.setUint16(32, nch * width, true);
  view.setUint16(34, width * 8, true);
  if (options.extensible) {
    view.setUint16(36, 22, true);
    view.setUint16(38, width * 8, true);
    view.setUint32(40, 0, true);
    // KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT: {0000000X-0000-0010-8000-00aa00389b71}
    view.setUint16(44, tag, true);
    bytes.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 46);
  }
  const dataHeader = 20 + fmtSize;
  text(dataHeader, 'data');
  view.setUint32(dataHeader + 4, dataSize, true);
  let p = dataHeader + 8;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < nch; c++) {
      writeSample(view, p, (channels[c] as Float32Array)[i] as number, format);
      p += width;
    }
  }
  return bytes;
}

function writeSample(view: DataView, p: number, x: number, format: Exclude<SampleFormat, 'int8'>): void {
  const int = (scale: number): number => Math.max(-scale, Math.min(scale - 1, Math.round(x * scale)));
  switch (format) {
    case 'uint8':
      view.setUint8(p, int(128) + 128);
      return;
    case 'int16':
      view.setInt16(p, int(32768), true);
      return;
    case 'int24': {
      const v = int(8388608) & 0xffffff;
      view.setUint8(p, v & 0xff);
      view.setUint8(p + 1, (v >> 8) & 0xff);
      view.setUint8(p + 2, (v >> 16) & 0xff);
      return;
    }
    case 'int32':
      view.setInt32(p, int(2147483648), true);
      return;
    case 'float32':
      view.setFloat32(p, x, true);
      return;
    case 'float64':
      view.setFloat64(p, x, true);
      return;
  }
}
