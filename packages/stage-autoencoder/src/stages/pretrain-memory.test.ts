/**
 * Pretraining streams its features: rows are read from the store batch by batch, as the step that
 * uses them comes, and nothing keeps them between passes. That is what keeps memory flat as the
 * corpus grows; asserted here by counting the rows the trainer reads (a counter around the real
 * corpus reader), which does not depend on how busy the machine is. The resident-memory figure
 * itself (peak RSS as the corpus grows ×10) is a measurement: `npm run bench -- rss`
 * (bench/rss.bench.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeSyntheticStore } from '../../test/synthetic-store.ts';
import { tf } from '../../test/tf.ts';
import { buildStructure } from '../structures/build.ts';
import { registerBuiltinStructures } from '../structures/builtin.ts';
import { type Corpus, holdOut, openCorpus } from '../training/corpus.ts';
import { type TrainConfig, trainAutoencoder } from '../training/trainer.ts';

const root = mkdtempSync(join(tmpdir(), 'serx-ae-stream-'));
let corpus: Corpus;

beforeAll(async () => {
  registerBuiltinStructures();
  await writeSyntheticStore(join(root, 'store'), {
    utterances: 48,
    dims: 8,
    minFrames: 20,
    maxFrames: 60,
    seed: 3,
  });
  corpus = await openCorpus([join(root, 'store')]);
});
afterAll(() => {
  corpus.close();
  rmSync(root, { recursive: true, force: true });
});

/** The real corpus, with a count of the rows read from it. */
function counted(inner: Corpus) {
  const count = { reads: 0 };
  const corpusView: Corpus = {
    numCeps: inner.numCeps,
    size: inner.size,
    frames: inner.frames,
    read: (i) => {
      count.reads += 1;
      return inner.read(i);
    },
    describe: (i) => inner.describe(i),
    close: () => {},
  };
  return { corpus: corpusView, count };
}

it('reads at most one batch of rows per training step, and every row again on every pass', async () => {
  const config: TrainConfig = {
    sparsity: 0.01,
    learningRate: 0.01,
    batchSize: 5,
    epochs: 3,
    patience: 10,
    minDelta: 0,
    minFrames: 16,
    maxFrames: 48,
    padMultiple: 1,
    seed: 4,
  };
  const built = buildStructure(
    tf,
    { name: 'parry-cnn', params: { conv: [{ filters: 2, kernelSize: [3, 3], strides: [2, 2] }], units: 4 } },
    { numCeps: 8, seed: 4 },
  );
  const split = holdOut(corpus.size, 0.25, config.seed);
  const { corpus: view, count } = counted(corpus);
  const perStep: number[] = [];
  const perEpoch: number[] = [];
  let mark = 0;
  let epochMark = 0;
  try {
    await trainAutoencoder({
      tf,
      corpus: view,
      ...split,
      models: { encoder: built.encoder, decoder: built.decoder!, timeStride: built.timeStride },
      config,
      onEpochStart: () => {
        mark = count.reads;
      },
      onBatch: () => {
        perStep.push(count.reads - mark);
        mark = count.reads;
      },
      onEpoch: () => {
        perEpoch.push(count.reads - epochMark);
        epochMark = count.reads;
      },
    });
  } finally {
    built.encoder.dispose();
    built.decoder?.dispose();
  }
  const steps = Math.ceil(split.train.length / config.batchSize);
  expect(perStep).toHaveLength(config.epochs * steps);
  // nothing is read ahead: the rows a step trains on are read just before it, one batch at most
  expect(Math.max(...perStep)).toBeLessThanOrEqual(config.batchSize);
  expect(perStep.reduce((a, b) => a + b, 0)).toBe(config.epochs * split.train.length);
  // nothing is kept: each pass (training rows, then the held-out ones) reads its rows afresh
  expect(perEpoch).toEqual(Array(config.epochs).fill(split.train.length + split.validation.length));
}, 120_000);
