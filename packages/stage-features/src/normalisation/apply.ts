import type { MfccMatrix } from '../mfcc/index.ts';
import type { MeanStd } from './moments.ts';

/**
 * Z-normalises every frame with a given mean/std per coefficient. As in the per-utterance
 * normalisation, a coefficient whose std is below `minStd` is only centred.
 */
export function applyMeanStd(m: MfccMatrix, stats: MeanStd, minStd = 1e-8): MfccMatrix {
  const { frames, dims, data } = m;
  const out = new Float32Array(data.length);
  for (let k = 0; k < dims; k++) {
    const mean = stats.mean[k]!;
    const std = stats.std[k]!;
    const inv = std > minStd ? 1 / std : 1;
    for (let t = 0; t < frames; t++) out[t * dims + k] = (data[t * dims + k]! - mean) * inv;
  }
  return { data: out, frames, dims };
}
