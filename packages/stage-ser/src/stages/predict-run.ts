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

/** Utterances in flight at once: input order is kept by predicting window by window. */
const WINDOW_BATCHES = 16;

/** `predict`'s run (the definition is in predict.ts). */
export async function runPredict(ctx: PredictContext) {
  const modelArtifact = ctx.inputs.model;
  const { tf } = await loadTensorflow({ threads: ctx.threads });
  const { model, config } = await loadTrainedModel(tf, modelArtifact.path);
  const inputs = await openInputs(ctx.inputs.features);
  if (inputs.dims !== config.numCeps) {
    inputs.close();
    throw new SerxError(
      'INPUT_DATA',
      `${ctx.id}: the model reads ${config.numCeps} coefficients per frame, the features have ${inputs.dims}`,
    );
  }
  const features = inputFeaturesOf(inputs.stores[0]?.meta);
  const writer = await FeatureStoreWriter.create(ctx.outputs.predictions as string, {
    dims: config.hiddenUnits,
    meta: {
      kind: 'predictions',
      classes: config.classes,
      model: modelArtifact.hash,
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
  try {
    const selected = inputs.stores.map((store) => selectRows(store, ctx.params.splits));
    const total = selected.reduce((n, s) => n + s.rows.length, 0);
    ctx.progress.total(total, 'utterances');
    const counts: { [corpus: string]: number } = {};
    for (const [i, { rows, whole }] of selected.entries()) {
      const store = inputs.stores[i] as FeatureStore;
      if (whole.length > 0)
        ctx.log.info(
          `${store.dir}: no rows of splits [${ctx.params.splits.join(', ')}] in ${whole.join(', ')}; predicting all of them`,
        );
      const examples: Example[] = rows.map((row) => ({ store, row, label: -1 }));
      await predictInOrder(
        tf,
        model,
        config,
        examples,
        ctx.params.batchSize,
        async (row, probs, embedding) => {
          if (ctx.signal.aborted) throw ctx.signal.reason;
          const { frames: _f, shard: _s, offset: _o, ...fields } = row;
          const out: FeatureRowInput = {
            ...fields,
            probs: Array.from(probs),
            pred: config.classes[argMaxRows(probs, probs.length)[0] as number] as string,
          };
          await writer.append(out, embedding);
          counts[row.corpus] = (counts[row.corpus] ?? 0) + 1;
          ctx.progress.tick();
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

/** Predicts window by window (length-bucketed inside a window) and emits results in input order. */
async function predictInOrder(
  tf: Tf,
  model: tfjs.LayersModel,
  config: ModelConfig,
  examples: Example[],
  batchSize: number,
  emit: (row: FeatureRow, probs: Float32Array, embedding: Float32Array) => Promise<void>,
): Promise<void> {
  const options: BatchOptions = {
    numCeps: config.numCeps,
    minFrames: config.minFrames,
    maxFrames: config.maxFrames,
    padMultiple: config.padMultiple,
  };
  const k = config.classes.length;
  const window = batchSize * WINDOW_BATCHES;
  for (let start = 0; start < examples.length; start += window) {
    const chunk = examples.slice(start, start + window);
    const results = new Array<{ probs: Float32Array; embedding: Float32Array }>(chunk.length);
    for (const { batch, probs, embedding, hidden } of predictBatches(tf, model, chunk, batchSize, options)) {
      batch.members.forEach((m, b) => {
        results[m] = {
          probs: probs.slice(b * k, (b + 1) * k),
          embedding: embedding.slice(b * hidden, (b + 1) * hidden),
        };
      });
    }
    for (const [i, example] of chunk.entries()) {
      const r = results[i] as { probs: Float32Array; embedding: Float32Array };
      await emit(example.row, r.probs, r.embedding);
    }
  }
}
