import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SerxError } from '@serx/core';
import type { ShardRange } from '@serx/core/shards';
import { type FeatureStore, openFeatureStore } from '@serx/stage-features';
import { loadTensorflow } from '@serx/tf-backend';
import type { Example } from '../data/batches.ts';
import { inputFeaturesOf } from '../data/input-features.ts';
import { openInputs } from '../data/select.ts';
import { CONFIG_FILE, loadTrainedModel, type ModelConfig } from '../model/config.ts';
import type { PredictContext } from './predict.ts';
import {
  checkDims,
  logWhole,
  predictionsResult,
  predictionsWriter,
  predictWindow,
  selectRows,
  WINDOW_BATCHES,
} from './predict-run.ts';

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

/** One shard: windows `[start, end)` predicted as `runPredict` predicts them, into a predictions store. */
export async function runPredictShard(ctx: PredictContext, range: ShardRange): Promise<void> {
  const windows = (await predictWindows(ctx)).slice(range.start, range.end);
  const { tf } = await loadTensorflow({ threads: ctx.threads });
  const { model, config } = await loadTrainedModel(tf, ctx.inputs.model.path);
  const inputs = await openInputs(ctx.inputs.features);
  try {
    checkDims(ctx, inputs.dims, config);
    const writer = await predictionsWriter(ctx, config, inputs.stores);
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
      await predictWindow(tf, model, config, chunk, ctx, (_row, out, embedding) =>
        writer.append(out, embedding),
      );
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
    const writer = await predictionsWriter(ctx, config, inputs.stores);
    const counts: { [corpus: string]: number } = {};
    for (const store of inputs.stores) logWhole(ctx, store, selectRows(store, ctx.params.splits).whole);
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
