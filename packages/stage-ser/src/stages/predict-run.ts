import { SerxError } from '@serx/core';
import {
  type FeatureRow,
  type FeatureRowInput,
  type FeatureStore,
  FeatureStoreWriter,
} from '@serx/stage-features';
import { loadTensorflow, type Tf } from '@serx/tf-backend';
import type * as tfjs from '@tensorflow/tfjs';
import type { BatchOptions, Example } from '../data/batches.ts';
import { inputFeaturesOf } from '../data/input-features.ts';
import { openInputs } from '../data/select.ts';
import { loadTrainedModel, type ModelConfig } from '../model/config.ts';
import { argMaxRows, predictBatches } from '../training/evaluate.ts';
import type { PredictContext } from './predict.ts';

/** `predict`'s run (the definition is in predict.ts). */
export async function runPredict(ctx: PredictContext) {
  const { tf } = await loadTensorflow({ threads: ctx.threads });
  const { model, config } = await loadTrainedModel(tf, ctx.inputs.model.path);
  const inputs = await openInputs(ctx.inputs.features);
  try {
    checkDims(ctx, inputs.dims, config);
    const features = inputFeaturesOf(inputs.stores[0]?.meta);
    const writer = await predictionsWriter(ctx, config, inputs.stores);
    const selected = inputs.stores.map((store) => selectRows(store, ctx.params.splits));
    const total = selected.reduce((n, s) => n + s.rows.length, 0);
    ctx.progress.total(total, 'utterances');
    const counts: { [corpus: string]: number } = {};
    for (const [i, { rows, whole }] of selected.entries()) {
      const store = inputs.stores[i] as FeatureStore;
      logWhole(ctx, store, whole);
      const examples: Example[] = rows.map((row) => ({ store, row, label: -1 }));
      const window = ctx.params.batchSize * WINDOW_BATCHES;
      for (let start = 0; start < examples.length; start += window)
        await predictWindow(
          tf,
          model,
          config,
          examples.slice(start, start + window),
          ctx,
          async (row, out, embedding) => {
            await writer.append(out, embedding);
            counts[row.corpus] = (counts[row.corpus] ?? 0) + 1;
          },
        );
    }
    await writer.close();
    return predictionsResult(config, counts, features);
  } finally {
    inputs.close();
    model.dispose();
  }
}

/** Utterances in flight at once (`batchSize` × this): input order is kept by predicting window by window. */
export const WINDOW_BATCHES = 16;

/** INPUT_DATA when the model reads another number of coefficients per frame than the features have. */
export function checkDims(ctx: PredictContext, dims: number, config: ModelConfig): void {
  if (dims !== config.numCeps)
    throw new SerxError(
      'INPUT_DATA',
      `${ctx.id}: the model reads ${config.numCeps} coefficients per frame, the features have ${dims}`,
    );
}

/** Logs the corpora of a store that have none of the splits asked for (all their rows are predicted). */
export function logWhole(ctx: PredictContext, store: FeatureStore, whole: readonly string[]): void {
  if (whole.length > 0)
    ctx.log.info(
      `${store.dir}: no rows of splits [${ctx.params.splits.join(', ')}] in ${whole.join(', ')}; predicting all of them`,
    );
}

/** The predictions store (its meta: the model's recipe, the splits, the input features). */
export function predictionsWriter(ctx: PredictContext, config: ModelConfig, stores: readonly FeatureStore[]) {
  const features = inputFeaturesOf(stores[0]?.meta);
  return FeatureStoreWriter.create(ctx.outputs.predictions as string, {
    dims: config.hiddenUnits,
    meta: {
      kind: 'predictions',
      classes: config.classes,
      model: ctx.inputs.model.hash,
      // The model's recipe. Not its producer id: entries are shared by every spec whose stage has
      // the same key, so analysis names models from its own graph (by `model` hash).
      strategy: config.strategy,
      structure: config.structure,
      trainCorpora: config.trainCorpora,
      splits: ctx.params.splits,
      embedding: 'last hidden layer',
      ...(features ? { inputFeatures: features } : {}),
    },
  });
}

/** The result of a prediction (runPredict and the sharded merge): classes, embedding size, rows per corpus. */
export function predictionsResult(
  config: { classes: string[]; hiddenUnits: number },
  counts: Record<string, number>,
  features: ReturnType<typeof inputFeaturesOf>,
) {
  return {
    meta: {
      predictions: {
        classes: config.classes,
        dims: config.hiddenUnits,
        counts,
        ...(features ? { inputFeatures: features } : {}),
      },
    },
  };
}

/** Rows of `splits`, plus every row of each corpus that has none of them. */
export function selectRows(
  store: FeatureStore,
  splits: readonly string[],
): { rows: FeatureRow[]; whole: string[] } {
  const hasSplit = new Set(store.rows.filter((r) => splits.includes(r.split ?? '')).map((r) => r.corpus));
  const whole = [...new Set(store.rows.map((r) => r.corpus))].filter((c) => !hasSplit.has(c)).sort();
  return {
    rows: store.rows.filter((r) => splits.includes(r.split ?? '') || whole.includes(r.corpus)),
    whole,
  };
}

/**
 * Predicts one window of examples (length-bucketed inside it) and emits each row's prediction in
 * input order: the row, the predictions-store row (`probs`, `pred`) and the embedding.
 */
export async function predictWindow(
  tf: Tf,
  model: tfjs.LayersModel,
  config: ModelConfig,
  chunk: Example[],
  ctx: PredictContext,
  emit: (row: FeatureRow, out: FeatureRowInput, embedding: Float32Array) => Promise<unknown>,
): Promise<void> {
  const options: BatchOptions = {
    numCeps: config.numCeps,
    minFrames: config.minFrames,
    maxFrames: config.maxFrames,
    padMultiple: config.padMultiple,
  };
  const k = config.classes.length;
  const results = new Array<{ probs: Float32Array; embedding: Float32Array }>(chunk.length);
  for (const { batch, probs, embedding, hidden } of predictBatches(
    tf,
    model,
    chunk,
    ctx.params.batchSize,
    options,
  )) {
    batch.members.forEach((m, b) => {
      results[m] = {
        probs: probs.slice(b * k, (b + 1) * k),
        embedding: embedding.slice(b * hidden, (b + 1) * hidden),
      };
    });
  }
  for (const [i, example] of chunk.entries()) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const r = results[i] as { probs: Float32Array; embedding: Float32Array };
    const { frames: _f, shard: _s, offset: _o, ...fields } = example.row;
    const out: FeatureRowInput = {
      ...fields,
      probs: Array.from(r.probs),
      pred: config.classes[argMaxRows(r.probs, r.probs.length)[0] as number] as string,
    };
    await emit(example.row, out, r.embedding);
    ctx.progress.tick();
  }
}
