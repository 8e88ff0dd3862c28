import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, SerxError, type StageResult } from '@serx/core';
import { modelIdOf } from '../evaluation/evaluate-predictions.ts';
import { parseProducerId } from '../evaluation/producer-id.ts';
import { renderFigure } from '../figures/render.ts';
import { tsneFigureSpec } from '../figures/tsne-figure.ts';
import { readPredictionsStore } from '../io/predictions-store.ts';
import { strategyLabel, strategyRank } from '../report/method-runs.ts';
import { embedModel, rowsToEmbed, subsample } from '../tsne/embed-predictions.ts';
import { finiteMetrics } from './finite-metrics.ts';
import { EXACT_LIMIT, TSNE_FILE, type TsneContext, type TsneDoc } from './tsne.ts';

/** `analysis:tsne`'s run (the definition is in tsne.ts). */
export async function runTsne(ctx: TsneContext): Promise<StageResult> {
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
    tsneFigureSpec(models.map((m) => ({ title: m.label, points: m.points, silhouette: m.silhouette.tsne }))),
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
}
