import type { MfccMatrix } from './options.ts';

/**
 * Per-utterance normalisation: each coefficient to zero mean and unit (population) variance over
 * the utterance's frames. A coefficient with std below `minStd` is only centred.
 */
export function normaliseUtterance(m: MfccMatrix, minStd = 1e-8): MfccMatrix {
  const { frames, dims, data } = m;
  const mean = new Float64Array(dims);
  const sq = new Float64Array(dims);
  for (let t = 0; t < frames; t++) {
    for (let k = 0; k < dims; k++) mean[k] = mean[k]! + data[t * dims + k]!;
  }
  for (let k = 0; k < dims; k++) mean[k] = mean[k]! / Math.max(frames, 1);
  for (let t = 0; t < frames; t++) {
    for (let k = 0; k < dims; k++) {
      const d = data[t * dims + k]! - mean[k]!;
      sq[k] = sq[k]! + d * d;
    }
  }
  const out = new Float32Array(data.length);
  for (let k = 0; k < dims; k++) {
    const std = Math.sqrt(sq[k]! / Math.max(frames, 1));
    const inv = std > minStd ? 1 / std : 1;
    for (let t = 0; t < frames; t++) out[t * dims + k] = (data[t * dims + k]! - mean[k]!) * inv;
  }
  return { data: out, frames, dims };
}

/** How {@link padFrames} fills the added frames. */
export type PadMode = 'zero' | 'repeat' | 'edge';

/**
 * Pads an utterance at the end to at least `minFrames` frames (longer ones are kept whole).
 * Default `zero`, applied after normalisation: zero is then the utterance's own mean, so padding
 * adds no spurious energy and leaves the statistics of the real frames untouched; `repeat`
 * (tile the utterance) and `edge` (repeat the last frame) are offered for comparison.
 */
export function padFrames(m: MfccMatrix, minFrames = 100, mode: PadMode = 'zero'): MfccMatrix {
  const { frames, dims, data } = m;
  if (frames >= minFrames) return m;
  const out = new Float32Array(minFrames * dims);
  out.set(data);
  if (frames > 0 && mode !== 'zero') {
    for (let t = frames; t < minFrames; t++) {
      const src = mode === 'repeat' ? t % frames : frames - 1;
      out.copyWithin(t * dims, src * dims, (src + 1) * dims);
    }
  }
  return { data: out, frames: minFrames, dims };
}
