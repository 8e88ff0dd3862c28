import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticStore } from '../../test/synthetic-store.ts';
import { tf } from '../../test/tf.ts';
import { buildStructure } from '../structures/build.ts';
import { registerBuiltinStructures } from '../structures/builtin.ts';
import { type Corpus, holdOut, openCorpus } from './corpus.ts';
import { type AutoencoderEpoch, type TrainConfig, trainAutoencoder } from './trainer.ts';

const tiny = { conv: [{ filters: 2, kernelSize: [3, 3], strides: [2, 2] }], units: 6 };
const config: TrainConfig = {
  sparsity: 0.01,
  learningRate: 0.01,
  batchSize: 4,
  epochs: 3,
  patience: 5,
  minDelta: 0,
  minFrames: 20,
  maxFrames: 40,
  padMultiple: 1,
  seed: 7,
};
let corpus: Corpus;

beforeAll(async () => {
  registerBuiltinStructures();
  const dir = join(mkdtempSync(join(tmpdir(), 'serx-ae-')), 'store');
  // 30 utterances: with fewer, 10 training utterances overfit and the held-out loss barely moves
  await writeSyntheticStore(dir, { utterances: 30, dims: 8, minFrames: 15, maxFrames: 50, seed: 1 });
  corpus = await openCorpus([dir]);
});

function train(
  overrides: Partial<TrainConfig> = {},
  extra: { workDir?: string; signal?: AbortSignal; onBatch?: (e: number, b: number) => void } = {},
) {
  const c = { ...config, ...overrides };
  const built = buildStructure(tf, { name: 'parry-cnn', params: tiny }, { numCeps: 8, seed: c.seed });
  const split = holdOut(corpus.size, 0.25, c.seed);
  const models = { encoder: built.encoder, decoder: built.decoder!, timeStride: built.timeStride };
  const { workDir, ...hooks } = extra;
  const result = trainAutoencoder({
    tf,
    corpus,
    ...split,
    models,
    config: c,
    ...(workDir ? { checkpoint: { workDir, fingerprint: 'f' } } : {}),
    ...hooks,
  });
  return result.then((r) => ({
    history: r.history.epochs as AutoencoderEpoch[],
    bestEpoch: r.history.bestEpoch,
    stoppedEarly: r.history.stoppedEarly,
    resumedAfter: r.resumedAfter,
    weights: built.encoder.getWeights().map((w) => Array.from(w.dataSync())),
  }));
}

describe('trainAutoencoder', () => {
  it('learns: held-out loss falls and the L1 term is part of the loss', async () => {
    const r = await train({ epochs: 6 });
    const h = r.history;
    expect(h).toHaveLength(6);
    for (let e = 1; e < 6; e++) expect(h[e]!.loss).toBeLessThan(h[e - 1]!.loss);
    expect(h[5]!.val_loss!).toBeLessThan(h[0]!.val_loss! * 0.95);
    for (const e of h) expect(e.loss).toBeCloseTo(e.mse + 0.01 * e.l1, 5);
    expect(r.bestEpoch).toBe(6);
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const a = await train();
    const b = await train();
    const c = await train({ seed: 8 });
    expect(b.history.map((e) => e.loss)).toEqual(a.history.map((e) => e.loss));
    expect(b.weights).toEqual(a.weights);
    expect(c.history[0]!.loss).not.toEqual(a.history[0]!.loss);
  });

  it('resumes a run interrupted in epoch 2 from the epoch-1 checkpoint to the same result', async () => {
    const whole = await train();
    const workDir = mkdtempSync(join(tmpdir(), 'serx-ae-work-'));
    const abort = new AbortController();
    const killed = train(
      {},
      {
        workDir,
        signal: abort.signal,
        onBatch: (e, b) => e === 2 && b === 1 && abort.abort(new Error('killed')),
      },
    );
    await expect(killed).rejects.toThrow('killed');
    const resumed = await train({}, { workDir });
    expect(resumed.resumedAfter).toBe(1);
    expect(resumed.history.map((e) => e.val_loss)).toEqual(whole.history.map((e) => e.val_loss));
    expect(resumed.weights).toEqual(whole.weights);
  });

  it('stops early when the held-out loss stops improving and keeps the best epoch', async () => {
    const r = await train({ epochs: 6, patience: 1, minDelta: 10 });
    expect(r.history).toHaveLength(2);
    expect(r.stoppedEarly).toBe(true);
    expect(r.bestEpoch).toBe(1);
  });
});
