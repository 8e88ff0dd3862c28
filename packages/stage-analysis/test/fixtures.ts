/**
 * Synthetic predictions of two methods (scratch, frozen) × seeds on two within-corpus test sets and
 * one unseen corpus, written in the documented predictions-store format. Deterministic for a seed.
 */
import { join } from 'node:path';
import type { Artifact } from '@serx/core';
import { type FixtureRow, writePredictionsFixture } from '../src/io/write-predictions-fixture.ts';
import { createRng } from '../src/stats/rng.ts';
import { artifact } from './context.ts';

export const CLASSES = ['negative', 'neutral', 'positive'];

export interface MethodSpec {
  method: string;
  strategy: string;
  /** Probability of a correct prediction per corpus. */
  accuracy: { [corpus: string]: number };
  /** Distance between class centres in the embedding (higher = clearer clusters). */
  separation: number;
}

export const CORPUS_SIZES: { [corpus: string]: number } = { emodb: 40, savee: 30, tess: 60 };

export async function writeMethodPredictions(
  root: string,
  spec: MethodSpec,
  seed: number,
): Promise<Artifact> {
  const dir = join(root, `${spec.method}-${seed}`);
  const model = `${spec.method}[seed=${seed}]`;
  await writeMethodPredictionsTo(dir, spec, seed);
  return artifact(
    dir,
    'predictions',
    `predict_${spec.method}[seed=${seed}]`,
    {
      model: `hash-${model}`,
      modelProducer: model,
      strategy: spec.strategy,
      structure: 'parry-cnn',
      trainCorpora: ['emodb', 'savee'],
      classes: CLASSES,
    },
    Object.keys(CORPUS_SIZES),
  );
}

export async function writeMethodPredictionsTo(dir: string, spec: MethodSpec, seed: number): Promise<void> {
  const rng = createRng(seed * 1000 + spec.method.length);
  const rows: FixtureRow[] = [];
  const corpusOffset: { [c: string]: number } = { emodb: 0, savee: 1, tess: 2 };
  for (const [corpus, n] of Object.entries(CORPUS_SIZES)) {
    const dataRng = createRng(corpusOffset[corpus]! + 77); // same utterances and truths for every model
    for (let i = 0; i < n; i++) {
      const cls = dataRng.int(3);
      const correct = rng.next() < spec.accuracy[corpus]!;
      const pred = correct ? cls : (cls + 1 + rng.int(2)) % 3;
      const embedding = Array.from(
        { length: 8 },
        (_, d) =>
          (d === cls ? spec.separation : 0) + (d === 3 + corpusOffset[corpus]! ? 1 : 0) + rng.normal(),
      );
      rows.push({
        id: `${corpus}-${i}`,
        corpus,
        speaker: `s${i % 4}`,
        label: CLASSES[cls]!,
        class: CLASSES[cls]!,
        split: corpus === 'tess' ? 'test' : i % 5 === 0 ? 'validation' : 'test',
        probs: [0, 1, 2].map((c) => (c === pred ? 0.8 : 0.1)),
        pred: CLASSES[pred]!,
        embedding,
      });
    }
  }
  await writePredictionsFixture(dir, rows, { classes: CLASSES });
}

export const SCRATCH: MethodSpec = {
  method: 'ser_scratch',
  strategy: 'scratch',
  accuracy: { emodb: 0.6, savee: 0.5, tess: 0.45 },
  separation: 1.5,
};
export const FROZEN: MethodSpec = {
  method: 'ser_frozen',
  strategy: 'frozen',
  accuracy: { emodb: 0.7, savee: 0.55, tess: 0.7 },
  separation: 4,
};
