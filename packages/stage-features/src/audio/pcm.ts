import type { BadAudioReason } from './bad-audio.ts';

/** Sample encodings found in WAV and AIFF files. */
export type SampleFormat = 'uint8' | 'int8' | 'int16' | 'int24' | 'int32' | 'float32' | 'float64';

export function bytesPerSample(format: SampleFormat): number {
  switch (format) {
    case 'uint8':
    case 'int8':
      return 1;
    case 'int16':
      return 2;
    case 'int24':
      return 3;
    case 'int32':
    case 'float32':
      return 4;
    case 'float64':
      return 8;
  }
}

export class PcmLayoutError extends Error {
  constructor(
    readonly reason: BadAudioReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * De-interleaves `frames` frames of `channels` channels from `view` at `offset` into floats in
 * [-1, 1): integers are divided by 2^(bits-1), as libsndfile does, so the result matches
 * `soundfile.read(..., dtype='float32')` exactly.
 */
export function deinterleave(
  view: DataView,
  offset: number,
  frames: number,
  channels: number,
  format: SampleFormat,
  littleEndian: boolean,
): Float32Array[] {
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  const width = bytesPerSample(format);
  let p = offset;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      (out[c] as Float32Array)[i] = readSample(view, p, format, littleEndian);
      p += width;
    }
  }
  return out;
}

function readSample(view: DataView, p: number, format: SampleFormat, le: boolean): number {
  switch (format) {
    case 'uint8':
      return (view.getUint8(p) - 128) / 128;
    case 'int8':
      return view.getInt8(p) / 128;
    case 'int16':
      return view.getInt16(p, le) / 32768;
    case 'int24': {
      const b0 = view.getUint8(p);
      const b1 = view.getUint8(p + 1);
      const b2 = view.getUint8(p + 2);
      const v = le ? (b2 << 16) | (b1 << 8) | b0 : (b0 << 16) | (b1 << 8) | b2;
      return ((v << 8) >> 8) / 8388608;
    }
    case 'int32':
      return view.getInt32(p, le) / 2147483648;
    case 'float32':
      return view.getFloat32(p, le);
    case 'float64':
      return view.getFloat64(p, le);
  }
}

/** Averages channels into one (the mono mix every stage works on); sums in double precision. */
export function downmix(channels: Float32Array[]): Float32Array {
  const first = channels[0];
  if (!first) return new Float32Array(0);
  if (channels.length === 1) return first;
  const n = first.length;
  const out = new Float32Array(n);
  const count = channels.length;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < count; c++) sum += (channels[c] as Float32Array)[i] as number;
    out[i] = sum / count;
  }
  return out;
}
