import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../structures/registry.ts';
import { assembleBatch } from './batches.ts';
import type { Corpus } from './corpus.ts';
import type { AutoencoderModels } from './loss.ts';

/** One utterance of Figure 2: the input MFCCs and the autoencoder's reconstruction. */
export interface ReconstructionSample {
  id: string;
  corpus: string;
  frames: number;
  /** Mean squared error of this utterance. */
  mse: number;
  /** `frames × numCeps`, row per frame. */
  input: number[][];
  output: number[][];
}

/** Reconstructs a few utterances (cropped to `maxFrames` from their start), one at a time. */
export function reconstructSamples(
  tf: Tf,
  corpus: Corpus,
  utterances: Iterable<number>,
  models: AutoencoderModels,
  options: { minFrames: number; maxFrames: number },
): ReconstructionSample[] {
  const samples: ReconstructionSample[] = [];
  for (const utterance of utterances) {
    const batch = assembleBatch(corpus, Int32Array.of(utterance), {
      ...options,
      padMultiple: models.timeStride,
    });
    const frames = batch.lengths[0]!;
    const output = tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [1, batch.frames, batch.numCeps, 1]);
      const code = models.encoder.predict(x) as tfjs.Tensor;
      const recon = models.decoder.predict(code) as tfjs.Tensor3D;
      return recon
        .slice([0, 0, 0], [1, frames, batch.numCeps])
        .reshape([frames, batch.numCeps])
        .arraySync() as number[][];
    });
    const input = rows(batch.x, frames, batch.numCeps);
    let sq = 0;
    for (let t = 0; t < frames; t++)
      for (let c = 0; c < batch.numCeps; c++) sq += (input[t]![c]! - output[t]![c]!) ** 2;
    const { id, corpus: name } = corpus.describe(utterance);
    samples.push({ id, corpus: name, frames, mse: sq / (frames * batch.numCeps), input, output });
  }
  return samples;
}

function rows(values: Float32Array, frames: number, numCeps: number): number[][] {
  return Array.from({ length: frames }, (_, t) =>
    Array.from(values.subarray(t * numCeps, (t + 1) * numCeps)),
  );
}
