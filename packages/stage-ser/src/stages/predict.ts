import { defineStage, paramsSchema, SerxError } from '@serx/core';
import {
  type FeatureRow,
  type FeatureRowInput,
  type FeatureStore,
  FeatureStoreWriter,
} from '@serx/stage-features';
import { loadTensorflow, serxKernelsSource, type Tf } from '@serx/tf-backend';
import type * as tfjs from '@tensorflow/tfjs';
import type { BatchOptions, Example } from '../data/batches.ts';
import { openInputs } from '../data/select.ts';
import { loadTrainedModel, type ModelConfig } from '../model/config.ts';
import { argMaxRows, predictBatches } from '../training/evaluate.ts';

export interface PredictParams {
  /** Splits to predict; a corpus with no row in any of them (e.g. held-out TESS) is predicted whole. */
  splits: string[];
  batchSize: number;
}

/** Utterances in flight at once: input order is kept by predicting window by window. */
const WINDOW_BATCHES = 16;

/**
 * `ser:predict`: runs a trained CNN-LSTM over feature stores and writes a `predictions` store:
 * per utterance the last-hidden-layer embedding as a 1 × hiddenUnits vector, and in its index row
 * the input row's fields plus `probs` (softmax, in `meta.classes` order) and `pred` (class name).
 */
export const predict = defineStage({
  name: 'ser:predict',
  version: '3',
  description: 'per-utterance class probabilities and last-hidden-layer embeddings of a trained CNN-LSTM',
  // serx's native kernels (the fused LSTM forward) are loaded with require: named here.
  codeDependencies: () => [serxKernelsSource],
  params: paramsSchema<PredictParams>({
    type: 'object',
    additionalProperties: false,
    properties: {
      splits: { type: 'array', items: { type: 'string' }, minItems: 1, default: ['test'] },
      batchSize: { type: 'integer', minimum: 1, default: 32 },
    },
  }),
  inputs: {
    model: { type: 'model' },
    features: { type: 'features', many: true },
  },
  outputs: {
    predictions: { type: 'predictions', description: 'feature-store format, dims = embedding size' },
  },
  resources: { class: 'cpu-heavy' },
  async run(ctx) {
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
      return { meta: { predictions: { classes: config.classes, dims: config.hiddenUnits, counts } } };
    } finally {
      inputs.close();
      model.dispose();
    }
  },
});

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
