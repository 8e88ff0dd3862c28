import { mulberry32 } from '@serx/core';
import { FeatureStoreWriter } from '@serx/stage-features';

export interface SyntheticStoreOptions {
  utterances: number;
  dims: number;
  minFrames: number;
  maxFrames: number;
  seed: number;
  corpus?: string;
  shardBytes?: number;
}

/**
 * Writes a feature store of MFCC-like sequences: each coefficient is a slow sinusoid with a random
 * frequency and phase plus a little noise, normalised per utterance like the real features. An
 * autoencoder can learn these, so a falling loss is a real signal.
 */
export async function writeSyntheticStore(dir: string, o: SyntheticStoreOptions): Promise<void> {
  // the stream of the autoencoder's former own PRNG for this seed, so the test data stay the same
  const next = mulberry32((Math.imul(o.seed | 0, 0x9e3779b1) ^ 0x85ebca6b) >>> 0);
  const writer = await FeatureStoreWriter.create(dir, {
    dims: o.dims,
    sampleRate: 16000,
    ...(o.shardBytes ? { shardBytes: o.shardBytes } : {}),
  });
  for (let u = 0; u < o.utterances; u++) {
    const frames = o.minFrames + Math.floor(next() * (o.maxFrames - o.minFrames + 1));
    const data = new Float32Array(frames * o.dims);
    for (let c = 0; c < o.dims; c++) {
      const freq = 0.02 + 0.1 * next();
      const phase = 2 * Math.PI * next();
      for (let t = 0; t < frames; t++)
        data[t * o.dims + c] = Math.sin(freq * t + phase) + 0.1 * (next() - 0.5);
    }
    await writer.append(
      {
        id: `u${u}`,
        corpus: o.corpus ?? 'synthetic',
        speaker: `s${u % 7}`,
        label: null,
        class: null,
        split: null,
      },
      data,
    );
  }
  await writer.close();
}
