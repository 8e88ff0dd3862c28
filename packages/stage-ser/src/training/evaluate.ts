import type { Tf } from '@serx/tf-backend';
import { planEvaluation } from '@serx/training';
import type * as tfjs from '@tensorflow/tfjs';
import { assembleBatch, type Batch, type BatchOptions, type Example } from '../data/batches.ts';
import { confusionMatrix, uaPerCorpus, unweightedAccuracy, weightedAccuracy } from '../metrics.ts';
import { weightedCrossEntropy } from './loss.ts';

/** The model's two inputs for a batch: MFCC `[size, frames, numCeps, 1]` and frame counts `[size, 1]`. */
export function batchInputs(tf: Tf, batch: Batch, numCeps: number): [tfjs.Tensor4D, tfjs.Tensor2D] {
  return [
    tf.tensor4d(batch.x, [batch.size, batch.frames, numCeps, 1]),
    tf.tensor2d(batch.lengths, [batch.size, 1]),
  ];
}

export interface Scores {
  loss: number;
  ua: number;
  wa: number;
  confusion: number[][];
  /** UA of each corpus's examples alone, by corpus name. */
  uaByCorpus: { [corpus: string]: number };
  /** Mean of `uaByCorpus`: every corpus counts the same, however many utterances it has. */
  uaCorpusMean: number;
}

/** Per batch of `examples` (length-sorted), the model's class probabilities and embeddings. */
export function* predictBatches(
  tf: Tf,
  model: tfjs.LayersModel,
  examples: readonly Example[],
  batchSize: number,
  options: BatchOptions,
): Generator<{ batch: Batch; probs: Float32Array; embedding: Float32Array; hidden: number }> {
  const lengths = examples.map((e) => e.row.frames);
  for (const members of planEvaluation(
    lengths.map((_, i) => i),
    lengths,
    batchSize,
  )) {
    const batch = assembleBatch(examples, members, options);
    const [p, e] = tf.tidy(() => model.predict(batchInputs(tf, batch, options.numCeps)) as tfjs.Tensor[]) as [
      tfjs.Tensor,
      tfjs.Tensor,
    ];
    const hidden = e.shape[1] as number;
    const probs = p.dataSync() as Float32Array;
    const embedding = e.dataSync() as Float32Array;
    tf.dispose([p, e]);
    yield { batch, probs, embedding, hidden };
  }
}

/** Loss (weighted like training), UA, WA and confusion of the model on labelled examples. */
export function evaluate(
  tf: Tf,
  model: tfjs.LayersModel,
  examples: readonly Example[],
  numClasses: number,
  batchSize: number,
  options: BatchOptions,
  classWeights: readonly number[] | null,
): Scores {
  const truth: number[] = [];
  const pred: number[] = [];
  const corpora: string[] = [];
  let lossSum = 0;
  for (const { batch, probs } of predictBatches(tf, model, examples, batchSize, options)) {
    for (const m of batch.members) corpora.push((examples[m] as Example).row.corpus);
    const loss = tf.tidy(
      () =>
        weightedCrossEntropy(
          tf,
          tf.tensor2d(probs, [batch.size, numClasses]),
          batch.labels,
          classWeights,
        ).dataSync()[0] as number,
    );
    lossSum += loss * batch.size;
    truth.push(...batch.labels);
    pred.push(...argMaxRows(probs, numClasses));
  }
  const confusion = confusionMatrix(truth, pred, numClasses);
  const perCorpus = uaPerCorpus(truth, pred, corpora, numClasses);
  return {
    loss: lossSum / Math.max(1, truth.length),
    ua: unweightedAccuracy(confusion),
    wa: weightedAccuracy(confusion),
    confusion,
    uaByCorpus: perCorpus.byCorpus,
    uaCorpusMean: perCorpus.mean,
  };
}

/** Index of the largest value of each row of a `[rows, width]` matrix (first one on ties). */
export function argMaxRows(values: Float32Array, width: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < values.length / width; r++) {
    let best = 0;
    for (let c = 1; c < width; c++)
      if ((values[r * width + c] as number) > (values[r * width + best] as number)) best = c;
    out.push(best);
  }
  return out;
}
