import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger, MetricsSink, StageResult } from '@serx/core';
import { COLLAPSE_SHARE, collapseOf } from '../evaluation/collapse.ts';
import {
  evaluatePredictions,
  evaluationMetrics,
  type PredictionsInput,
} from '../evaluation/evaluate-predictions.ts';
import type { ModelEvaluation } from '../evaluation/types.ts';
import { readPredictionsStore } from '../io/predictions-store.ts';
import { EVALUATION_FILE, type EvaluateContext } from './evaluate.ts';
import { finiteMetrics } from './finite-metrics.ts';

/** `analysis:evaluate`'s run (the definition is in evaluate.ts). */
export async function runEvaluate(ctx: EvaluateContext): Promise<StageResult> {
  const artifacts = ctx.inputs.predictions;
  ctx.progress.total(artifacts.length + 1, 'reading predictions');
  const inputs: PredictionsInput[] = [];
  for (const artifact of artifacts) {
    const store = await readPredictionsStore(artifact.path);
    store.close(); // evaluation needs the index rows only
    if (store.unlabelled > 0)
      ctx.log.warn(`${artifact.producer}: ${store.unlabelled} unlabelled utterance(s) left out`);
    inputs.push({
      producer: artifact.producer,
      meta: { ...store.meta, ...artifact.meta },
      rows: store.rows,
      file: join(artifact.path, 'index.jsonl'),
    });
    ctx.progress.tick();
  }
  const doc = evaluatePredictions(inputs, { heldOut: ctx.heldOut, splits: ctx.params.splits });
  const file = join(ctx.outputs.evaluation!, EVALUATION_FILE);
  await writeFile(file, `${JSON.stringify(doc)}\n`);
  ctx.metrics.artifact(file);
  for (const m of doc.models) {
    for (const c of m.corpora) {
      ctx.log.info(
        `${m.model} ${c.corpus}${c.unseen ? ' (unseen)' : ''}: UA ${c.ua.toFixed(4)} WA ${c.wa.toFixed(4)} macro-F1 ${c.macroF1.toFixed(4)} (n=${c.n})`,
      );
    }
  }
  const share = collapseChecks(doc.models, ctx);
  ctx.progress.tick();
  return {
    meta: {
      evaluation: {
        models: doc.models.map((m) => m.model),
        corpora: [...new Set(doc.models.flatMap((m) => m.corpora.map((c) => c.corpus)))],
      },
    },
    metrics: finiteMetrics({ ...evaluationMetrics(doc), ...share }),
  };
}

/**
 * The collapse check: tags the tracking run `collapsed` (`true` when any model collapsed; with
 * several models also `collapsed.<model>`), warns, and returns `max_class_share` metrics.
 */
function collapseChecks(
  models: readonly ModelEvaluation[],
  ctx: { log: Logger; metrics: MetricsSink },
): { [name: string]: number } {
  const prefix = models.length > 1;
  const metrics: { [name: string]: number } = {};
  let any = false;
  for (const m of models) {
    const c = collapseOf(m);
    const key = prefix ? `${m.model.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/_+$/, '')}.` : '';
    metrics[`${key}max_class_share`] = c.share;
    if (prefix) ctx.metrics.tag(`collapsed.${m.model}`, String(c.collapsed));
    if (c.collapsed) {
      any = true;
      ctx.log.warn(
        `${m.model} collapsed: ${(c.share * 100).toFixed(1)} % of its test predictions are '${c.class}' (threshold ${COLLAPSE_SHARE * 100} %)`,
      );
    }
  }
  ctx.metrics.tag('collapsed', String(any));
  return metrics;
}
