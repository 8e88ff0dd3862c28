import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineStage, ErrorCodes, paramsSchema, SerxError } from '@serx/core';
import { modelIdOf } from '../evaluation/evaluate-predictions.ts';
import { parseProducerId } from '../evaluation/producer-id.ts';
import { renderFigure } from '../figures/render.ts';
import { tsneFigureSpec } from '../figures/tsne-figure.ts';
import { readPredictionsStore } from '../io/predictions-store.ts';
import { strategyLabel, strategyRank } from '../report/method-runs.ts';
import { type EmbeddedModel, embedModel, rowsToEmbed, subsample } from '../tsne/embed-predictions.ts';
import { finiteMetrics } from './finite-metrics.ts';

export interface TsneParams {
  perplexity: number;
  iterations: number;
  theta: number;
  /** `barnes-hut` (O(n log n) per iteration) or `exact` (O(n²), at most 3000 points). */
  method: 'barnes-hut' | 'exact';
  /** Embed at most this many utterances per model (stratified by corpus, seeded). */
  maxPoints: number;
  splits: string[];
}

export const TSNE_FILE = 'tsne.json';
const EXACT_LIMIT = 3000;

/** The `tsne` artifact: `tsne.json` (this), `tsne.svg`, `tsne.png`. */
export interface TsneDoc {
  format: 'serx-tsne/1';
  params: TsneParams & { seed: number };
  models: (EmbeddedModel & { label: string })[];
}

/** `analysis:tsne`: Figure 3 — t-SNE of last-hidden-layer activations, by class and by corpus, with silhouettes. */
export const tsneStage = defineStage({
  name: 'analysis:tsne',
  version: '2',
  description:
    'Barnes-Hut t-SNE of the last hidden layer per model (by class, by corpus) with silhouette scores',
  params: paramsSchema<TsneParams>({
    type: 'object',
    additionalProperties: false,
    properties: {
      perplexity: { type: 'number', exclusiveMinimum: 1, default: 30 },
      iterations: { type: 'integer', minimum: 300, default: 1000 },
      theta: { type: 'number', minimum: 0, maximum: 1, default: 0.5 },
      method: { enum: ['barnes-hut', 'exact'], default: 'barnes-hut' },
      maxPoints: { type: 'integer', minimum: 10, default: 5000 },
      splits: { type: 'array', items: { type: 'string' }, minItems: 1, default: ['test'] },
    },
  }),
  inputs: {
    predictions: {
      type: 'predictions',
      many: true,
      description: 'one ser:predict output per model (e.g. scratch and frozen of one seed)',
    },
    models: {
      type: 'model',
      many: true,
      optional: true,
      description: 'the trained models, to name each panel after its model and strategy (matched by hash)',
    },
  },
  outputs: { tsne: { type: 'tsne' } },
  resources: { class: 'cpu-heavy' },
  async run(ctx) {
    const p = ctx.params;
    const artifacts = [...ctx.inputs.predictions];
    const models: TsneDoc['models'] = [];
    const byHash = new Map((ctx.inputs.models ?? []).map((a) => [a.hash, a]));
    for (const [k, artifact] of artifacts.entries()) {
      const store = await readPredictionsStore(artifact.path);
      const meta = { ...store.meta, ...artifact.meta };
      const trained = typeof meta.modelProducer === 'string' ? undefined : byHash.get(String(meta.model));
      const model = trained?.producer ?? modelIdOf({ producer: artifact.producer, meta, rows: [], file: '' });
      const method = parseProducerId(model).stageId;
      const rawStrategy = meta.strategy ?? trained?.meta.strategy;
      const strategy = typeof rawStrategy === 'string' ? rawStrategy : null;
      const train = Array.isArray(meta.trainCorpora) ? (meta.trainCorpora as string[]) : null;
      const unseen = (c: string) => ctx.heldOut.includes(c) || (train !== null && !train.includes(c));
      const all = rowsToEmbed(store.rows, p.splits, unseen);
      const rows = subsample(all, p.maxPoints, ctx.seed);
      if (p.method === 'exact' && rows.length > EXACT_LIMIT) {
        throw new SerxError(
          ErrorCodes.USAGE,
          `exact t-SNE of ${rows.length} points is O(n²) per iteration; use method: barnes-hut or maxPoints ≤ ${EXACT_LIMIT}`,
          {
            specPath: 'params.method',
          },
        );
      }
      ctx.log.info(
        `${model}: t-SNE of ${rows.length} utterances (${store.dims}-d)${rows.length < all.length ? `, subsampled from ${all.length}` : ''}`,
      );
      ctx.progress.total(p.iterations, `t-SNE ${k + 1}/${artifacts.length} ${model}`);
      const embedded = await embedModel(
        store,
        rows,
        { model, method, strategy, dropped: all.length - rows.length },
        {
          perplexity: p.perplexity,
          iterations: p.iterations,
          theta: p.theta,
          method: p.method,
          seed: ctx.seed,
          signal: ctx.signal,
          onIteration: () => ctx.progress.tick(),
        },
      );
      store.close();
      models.push({ ...embedded, label: strategyLabel(strategy, method) });
    }
    models.sort(
      (a, b) => strategyRank(a.strategy) - strategyRank(b.strategy) || a.model.localeCompare(b.model),
    );
    const dir = ctx.outputs.tsne!;
    const doc: TsneDoc = { format: 'serx-tsne/1', params: { ...p, seed: ctx.seed }, models };
    await writeFile(join(dir, TSNE_FILE), `${JSON.stringify(doc)}\n`);
    const figure = await renderFigure(
      'tsne',
      'Figure 3: distributions in the last hidden layer',
      tsneFigureSpec(
        models.map((m) => ({ title: m.label, points: m.points, silhouette: m.silhouette.tsne })),
      ),
    );
    await writeFile(join(dir, 'tsne.svg'), figure.svg);
    await writeFile(join(dir, 'tsne.png'), figure.png);
    ctx.metrics.artifact(join(dir, 'tsne.png'));
    const metrics: { [name: string]: number } = {};
    for (const m of models) {
      const key = m.model.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/_+$/, '');
      metrics[`silhouette_class.${key}`] = m.silhouette.tsne.class;
      metrics[`silhouette_corpus.${key}`] = m.silhouette.tsne.corpus;
      metrics[`silhouette_class_hidden.${key}`] = m.silhouette.hidden.class;
      metrics[`silhouette_corpus_hidden.${key}`] = m.silhouette.hidden.corpus;
    }
    return { meta: { tsne: { models: models.map((m) => m.model) } }, metrics: finiteMetrics(metrics) };
  },
});
