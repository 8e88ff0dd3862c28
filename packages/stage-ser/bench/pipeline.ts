import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 as createRng } from '@serx/core';
import { FeatureStoreWriter } from '@serx/stage-features';
import { train } from '../src/stages/train.ts';
import { type TrainParams, trainParamsSchema } from '../src/stages/train-params.ts';

/**
 * The stage's own path: `utterances` synthetic training utterances of ±20 % around `frames` in a
 * feature store on disk → length buckets → steps; `ser:train` with default params (scratch) for
 * three epochs, timed from its history over the last two (the first also pays one-off native
 * kernel set-up per batch shape); epoch times include a 3-utterance validation and the checkpoint.
 */
export async function pipelineSamplesPerSecond(
  cfg: { batch: number; frames: number; numCeps: number; threads: number },
  utterances: number,
): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'serx-ser-bench-'));
  try {
    const writer = await FeatureStoreWriter.create(join(dir, 'store'), { dims: cfg.numCeps });
    const rng = createRng(2);
    const classes = ['negative', 'neutral', 'positive'];
    for (let i = 0; i < utterances + 3; i++) {
      const frames = Math.round(cfg.frames * (0.8 + 0.4 * rng()));
      const data = Float32Array.from({ length: frames * cfg.numCeps }, () => rng() * 2 - 1);
      const split = i < utterances ? 'train' : 'validation';
      await writer.append(
        {
          id: `u${i}`,
          corpus: 'synthetic',
          speaker: 's',
          label: null,
          class: classes[i % 3] as string,
          split,
        },
        data,
      );
    }
    await writer.close();
    const defaults = Object.fromEntries(
      Object.entries(trainParamsSchema.properties as object).map(([k, v]) => [
        k,
        (v as { default: unknown }).default,
      ]),
    );
    const params = {
      ...defaults,
      strategy: 'scratch',
      epochs: 3,
      patience: 0,
      batchSize: cfg.batch,
      // the Keras side trains the plain recipe: no dropout, masking, decay, clipping or class weights
      dropout: { conv: 0, lstmInput: 0, lstmRecurrent: 0, dense: 0 },
      specAugment: false,
      weightDecay: 0,
      clipNorm: 0,
      classWeights: 'none',
    } as TrainParams;
    const nothing = () => {};
    await train.run({
      id: 'bench',
      params,
      seed: 1,
      threads: cfg.threads,
      heldOut: [],
      signal: new AbortController().signal,
      workDir: join(dir, 'work'),
      inputs: {
        data: [
          {
            path: join(dir, 'store'),
            type: 'features',
            hash: 'h',
            producer: 'bench',
            meta: {},
            corpora: ['synthetic'],
          },
        ],
      },
      outputs: { model: join(dir, 'model') },
      log: { debug: nothing, info: nothing, warn: nothing },
      progress: { total: nothing, tick: nothing },
      metrics: { metric: nothing, tag: nothing, artifact: nothing },
    });
    const history = JSON.parse(readFileSync(join(dir, 'model', 'history.json'), 'utf8')) as {
      epochs: { seconds: number }[];
    };
    const later = history.epochs.slice(1);
    return (utterances * later.length) / later.reduce((sum, e) => sum + e.seconds, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
