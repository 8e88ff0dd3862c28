import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SerxError } from '@serx/core';
import type { ShardRange } from '@serx/core/shards';
import {
  type FeatureRowInput,
  type FeatureStore,
  FeatureStoreWriter,
  openFeatureStore,
} from '@serx/stage-features';
import { loadTensorflow } from '@serx/tf-backend';
import type { BatchOptions, Example } from '../data/batches.ts';
import { inputFeaturesOf } from '../data/input-features.ts';
import { openInputs } from '../data/select.ts';
import { CONFIG_FILE, loadTrainedModel, type ModelConfig } from '../model/config.ts';
import { argMaxRows, predictBatches } from '../training/evaluate.ts';
import type { PredictContext } from './predict.ts';
import { predictionsResult, selectRows } from './predict-run.ts';

/** `WINDOW_BATCHES` of predict-run.ts: utterances in flight at once are `batchSize` × this. */
const WINDOW_BATCHES = 16;

/** One window of `runPredict`: rows `[start, end)` of the selected rows of input store `store`. */
interface Window {
  store: number;
  start: number;
  end: number;
}

/** The windows `runPredict` predicts, in order. */
export async function predictWindows(ctx: PredictContext): Promise<Window[]> {
  const inputs = await openInputs(ctx.inputs.features);
  try {
    const size = ctx.params.batchSize * WINDOW_BATCHES;
    return inputs.stores.flatMap((store, i) => {
      const n = selectRows(store, ctx.params.splits).rows.length;
      return Array.from({ length: Math.ceil(n / size) }, (_, w) => ({
        store: i,
        start: w * size,
        end: Math.min(n, (w + 1) * size),
      }));
    });
  } finally {
    inputs.close();
  }
}

/** The store `runPredict` writes (its meta); `dims` and `meta` from the model's config. */
function predictionsWriter(ctx: PredictContext, dir: string, config: ModelConfig, stores: FeatureStore[]) {
  const features = inputFeaturesOf(stores[0]?.meta);
  return FeatureStoreWriter.create(dir, {
    dims: config.hiddenUnits,
    meta: {
      kind: 'predictions',
      classes: config.classes,
      model: ctx.inputs.model.hash,
      strategy: config.strategy,
      structure: config.structure,
      trainCorpora: config.trainCorpora,
      splits: ctx.params.splits,
      embedding: 'last hidden layer',
      ...(features ? { inputFeatures: features } : {}),
    },
  });
}

/** One shard: windows `[start, end)` predicted as `runPredict` predicts them, into a predictions store. */
export async function runPredictShard(ctx: PredictContext, range: ShardRange): Promise<void> {
  const windows = (await predictWindows(ctx)).slice(range.start, range.end);
  const { tf } = await loadTensorflow({ threads: ctx.threads });
  const { model, config } = await loadTrainedModel(tf, ctx.inputs.model.path);
  const inputs = await openInputs(ctx.inputs.features);
  try {
    if (inputs.dims !== config.numCeps)
      throw new SerxError(
        'INPUT_DATA',
        `${ctx.id}: the model reads ${config.numCeps} coefficients per frame, the features have ${inputs.dims}`,
      );
    const writer = await predictionsWriter(ctx, ctx.outputs.predictions as string, config, inputs.stores);
    const options: BatchOptions = {
      numCeps: config.numCeps,
      minFrames: config.minFrames,
      maxFrames: config.maxFrames,
      padMultiple: config.padMultiple,
    };
    const k = config.classes.length;
    ctx.progress.total(
      windows.reduce((n, w) => n + w.end - w.start, 0),
      'utterances',
    );
    const selected = new Map<number, ReturnType<typeof selectRows>['rows']>();
    for (const w of windows) {
      const store = inputs.stores[w.store] as FeatureStore;
      if (!selected.has(w.store)) selected.set(w.store, selectRows(store, ctx.params.splits).rows);
      const chunk: Example[] = (selected.get(w.store) ?? [])
        .slice(w.start, w.end)
        .map((row) => ({ store, row, label: -1 }));
      const results = new Array<{ probs: Float32Array; embedding: Float32Array }>(chunk.length);
      for (const { batch, probs, embedding, hidden } of predictBatches(
        tf,
        model,
        chunk,
        ctx.params.batchSize,
        options,
      ))
        batch.members.forEach((m, b) => {
          results[m] = {
            probs: probs.slice(b * k, (b + 1) * k),
            embedding: embedding.slice(b * hidden, (b + 1) * hidden),
          };
        });
      for (const [i, example] of chunk.entries()) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        const r = results[i] as { probs: Float32Array; embedding: Float32Array };
        const { frames: _f, shard: _s, offset: _o, ...fields } = example.row;
        const out: FeatureRowInput = {
          ...fields,
          probs: Array.from(r.probs),
          pred: config.classes[argMaxRows(r.probs, r.probs.length)[0] as number] as string,
        };
        await writer.append(out, r.embedding);
        ctx.progress.tick();
      }
    }
    await writer.close();
  } finally {
    inputs.close();
    model.dispose();
  }
}

/** The shards' predictions in order, into the store `runPredict` writes; its result. */
export async function mergePredictShards(ctx: PredictContext, shards: readonly string[]) {
  let config: ModelConfig;
  const file = join(ctx.inputs.model.path, CONFIG_FILE);
  try {
    config = JSON.parse(await readFile(file, 'utf8')) as ModelConfig;
  } catch (cause) {
    throw new SerxError('INPUT_DATA', `${file}: not a ser:train model (missing or unreadable config.json)`, {
      cause,
    });
  }
  const inputs = await openInputs(ctx.inputs.features);
  try {
    const writer = await predictionsWriter(ctx, ctx.outputs.predictions as string, config, inputs.stores);
    const counts: { [corpus: string]: number } = {};
    for (const store of inputs.stores) {
      const { whole } = selectRows(store, ctx.params.splits);
      if (whole.length > 0)
        ctx.log.info(
          `${store.dir}: no rows of splits [${ctx.params.splits.join(', ')}] in ${whole.join(', ')}; predicting all of them`,
        );
    }
    for (const dir of shards) {
      const part = await openFeatureStore(dir);
      try {
        for (const { row, data } of part.iterate()) {
          const { frames: _f, shard: _s, offset: _o, ...fields } = row;
          await writer.append(fields, data);
          counts[row.corpus] = (counts[row.corpus] ?? 0) + 1;
        }
      } finally {
        part.close();
      }
    }
    await writer.close();
    const features = inputFeaturesOf(inputs.stores[0]?.meta);
    return predictionsResult(config, counts, features);
  } finally {
    inputs.close();
  }
}
