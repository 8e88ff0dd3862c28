import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, SerxError, type StageResult } from '@serx/core';
import { AnalysisErrors } from '../errors.ts';
import type { EvaluationDoc } from '../evaluation/types.ts';
import type { ReconstructionSample } from '../figures/reconstruction-figure.ts';
import { attachModels, type ModelLineage } from '../report/attach-models.ts';
import { buildReport, type ReportInputs } from '../report/build-report.ts';
import { inCurrentVariant } from '../report/current-variant.ts';
import { countEvaluated, countStores } from '../report/data-summary.ts';
import { readHistoryCurves } from '../report/history-curves.ts';
import { REPORT_FILES, writeReport } from '../report/write-report.ts';
import { EVALUATION_FILE } from './evaluate.ts';
import { finiteMetrics } from './finite-metrics.ts';
import type { ReportContext } from './report.ts';
import { TSNE_FILE, type TsneDoc } from './tsne.ts';

/** `readJson`, but null when the file does not exist. */
async function readOptionalJson<T>(file: string): Promise<T | null> {
  try {
    await access(file);
  } catch {
    return null;
  }
  return readJson<T>(file);
}

async function readJson<T>(file: string): Promise<T> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (cause) {
    throw new SerxError(ErrorCodes.INPUT_DATA, `cannot read ${file}: ${(cause as Error).message}`, {
      loc: { file, line: 1, col: 1 },
      cause,
    });
  }
}

/** `analysis:report`'s run (the definition is in report.ts). */
export async function runReport(ctx: ReportContext): Promise<StageResult> {
  const evaluations: EvaluationDoc[] = [];
  for (const a of ctx.inputs.evaluations)
    evaluations.push(inCurrentVariant(await readJson(join(a.path, EVALUATION_FILE)), a.producer));
  const tsne: ReportInputs['tsne'] = [];
  for (const a of ctx.inputs.tsne ?? []) {
    tsne.push({
      producer: a.producer,
      doc: await readJson<TsneDoc>(join(a.path, TSNE_FILE)),
      svg: await readFile(join(a.path, 'tsne.svg'), 'utf8').catch(() => null),
      png: await readFile(join(a.path, 'tsne.png')).catch(() => null),
    });
  }
  const histories: ReportInputs['histories'] = [];
  const lineage = new Map<string, ModelLineage>();
  for (const a of ctx.inputs.training ?? []) {
    // a model's config.json names the encoder (or initial model) it was built on; a model of
    // another plugin may have none: its lineage is then unknown, not an error
    const config =
      a.type === 'model' ? await readOptionalJson<Partial<ModelLineage>>(join(a.path, 'config.json')) : null;
    if (config)
      lineage.set(a.hash, {
        encoderArtifact: config.encoderArtifact ?? null,
        initialModel: config.initialModel ?? null,
      });
    const points = await readHistoryCurves(a.path, a.producer);
    if (points) histories.push({ kind: a.type === 'encoder' ? 'autoencoder' : 'ser', points });
    else ctx.log.warn(`${a.producer}: no readable history.json, no learning curve`);
  }
  const reconstructions: ReconstructionSample[][] = [];
  for (const a of ctx.inputs.reconstruction ?? [])
    reconstructions.push(
      (await readJson<{ samples: ReconstructionSample[] }>(join(a.path, 'samples.json'))).samples,
    );
  const dataDirs = (ctx.inputs.data ?? []).map((a) => a.path);
  const data =
    dataDirs.length > 0
      ? { source: `${dataDirs.length} data store(s)`, counts: await countStores(dataDirs) }
      : { source: 'evaluated test utterances', counts: countEvaluated(evaluations) };

  const { model, figures } = await buildReport(
    {
      evaluations: attachModels(evaluations, ctx.inputs.training ?? [], lineage),
      tsne,
      histories,
      reconstructions,
      data,
    },
    ctx.params,
    ctx.seed,
  );
  const pngs: { [name: string]: Buffer } = Object.fromEntries(figures.map((f) => [f.name, f.png]));
  tsne.forEach((t, i) => {
    if (t.png) pngs[`tsne-${i + 1}`] = t.png;
  });
  const dir = ctx.outputs.report!;
  await writeReport(dir, model, pngs);
  for (const file of [REPORT_FILES.html, REPORT_FILES.markdown, REPORT_FILES.table2Csv])
    ctx.metrics.artifact(join(dir, file));

  const metrics: { [name: string]: number } = {};
  for (const c of model.comparisons) {
    metrics[`diff_${model.table2.metric}.${c.corpus}`] = c.bootstrap.estimate;
    metrics[`p_signflip.${c.corpus}`] = c.signFlip.p;
  }
  model.claims.forEach((c, i) => {
    ctx.log.info(
      `claim ${i + 1}: ${c.text} → ${c.verdict} (estimate ${c.estimate.toFixed(4)}, CI [${c.lo.toFixed(4)}, ${c.hi.toFixed(4)}], ${c.seeds} seed(s))`,
    );
    metrics[`claim_${i + 1}_holds`] = c.verdict === 'holds' ? 1 : 0;
  });
  const failed = model.claims.filter((c) => c.verdict !== 'holds');
  if (failed.length > 0 && ctx.params.strict) {
    throw new SerxError(
      AnalysisErrors.CLAIM_FAILED,
      `${failed.length} claim(s) not established (strict): ${failed.map((c) => `"${c.text}" ${c.verdict}, CI [${c.lo.toFixed(4)}, ${c.hi.toFixed(4)}]`).join('; ')}`,
      { specPath: 'params.claims' },
    );
  }
  return {
    meta: {
      report: { claims: model.claims.map((c) => c.verdict), figures: model.figures.map((f) => f.name) },
    },
    metrics: finiteMetrics(metrics),
  };
}
