/** Gathers evaluations, t-SNE results, training histories and reconstructions into a {@link ReportModel} and its figures. */
import { ErrorCodes, SerxError } from '@serx/core';
import { checkClaim } from '../claims/check-claim.ts';
import { type Claim, normaliseClaim } from '../claims/claim.ts';
import type { EvaluationDoc } from '../evaluation/types.ts';
import type { CurvePoint } from '../figures/learning-curves-figure.ts';
import type { ReconstructionSample } from '../figures/reconstruction-figure.ts';
import type { RenderedFigure } from '../figures/render.ts';
import type { TsneDoc } from '../stages/tsne.ts';
import type { MetricName } from '../stats/metric-on-index.ts';
import { type Comparison, compareMethods } from './comparison.ts';
import { comparisonPairs } from './comparison-pairs.ts';
import { collectMethods } from './method-runs.ts';
import { type DataCount, REPORT_FORMAT, type ReportFigure, type ReportModel } from './model.ts';
import { renderReportFigures } from './report-figures.ts';
import { summariseSilhouettes } from './silhouette-summary.ts';
import { buildTable2, type ReferenceRow } from './table2.ts';

export interface ReportParams {
  title: string;
  metric: MetricName;
  level: number;
  resamples: number;
  compare?: { a: string; b: string };
  reference: ReferenceRow[];
  claims: (string | (Omit<Claim, 'metric'> & { metric?: MetricName }))[];
  strict: boolean;
  /** Figure 2: reconstruction samples shown per reconstruction artifact. */
  samples: number;
}

export interface ReportInputs {
  evaluations: EvaluationDoc[];
  /** `producer`: the t-SNE stage variant, e.g. `tsne[seed=1]`. */
  tsne: { producer: string; doc: TsneDoc; svg: string | null; png: Buffer | null }[];
  histories: { kind: 'ser' | 'autoencoder'; points: CurvePoint[] }[];
  reconstructions: ReconstructionSample[][];
  data: { source: string; counts: DataCount[] };
}

export async function buildReport(
  inputs: ReportInputs,
  params: ReportParams,
  seed: number,
): Promise<{ model: ReportModel; figures: RenderedFigure[] }> {
  const methods = collectMethods(inputs.evaluations);
  if (methods.length === 0)
    throw new SerxError(
      ErrorCodes.INPUT_DATA,
      'the report has no evaluated model: wire analysis:evaluate outputs to its `evaluations` input',
    );
  const classes = methods[0]!.runs[0]!.model.classes;
  for (const m of methods) {
    for (const r of m.runs) {
      if (r.model.classes.join('\u0000') !== classes.join('\u0000')) {
        throw new SerxError(
          ErrorCodes.INPUT_DATA,
          `models predict different classes: ${r.model.model} has [${r.model.classes.join(', ')}], ${methods[0]!.runs[0]!.model.model} has [${classes.join(', ')}]; compare models trained with the same class mapping`,
        );
      }
    }
  }
  const numClasses = classes.length;
  const stats = { level: params.level, resamples: params.resamples, seed };
  const table2 = buildTable2(methods, {
    metric: params.metric,
    level: params.level,
    reference: params.reference,
  });
  const notes: string[] = table2.rows.flatMap((row) =>
    row.collapsed.map(
      (c) =>
        `Collapsed: ${row.label} (${c.run || 'single run'}) predicts '${c.class}' for ${(c.share * 100).toFixed(1)} % of its test utterances.`,
    ),
  );
  const pairs = comparisonPairs(methods, params.compare);
  const comparisons: Comparison[] = [];
  if (pairs.length > 0) {
    for (const [a, b] of pairs) {
      for (const { corpus } of table2.columns) {
        const c = compareMethods(a, b, corpus, params.metric, numClasses, stats);
        if (c) comparisons.push(c);
      }
    }
  } else {
    notes.push(
      'No paired comparison: the evaluations have no pair of a pre-trained-encoder method and a from-scratch method (set params.compare).',
    );
  }
  const claims = params.claims.map((raw, i) =>
    checkClaim(normaliseClaim(raw, `params.claims[${i}]`), methods, numClasses, stats, `params.claims[${i}]`),
  );

  const rendered = await renderReportFigures(methods, table2.columns, comparisons, inputs, params);
  const silhouetteSummary = summariseSilhouettes(
    inputs.tsne.flatMap(({ doc }) => doc.models),
    params.level,
  );
  const figures: ReportFigure[] = rendered.map(({ figure, caption }) => ({
    name: figure.name,
    title: figure.title,
    caption,
    svg: figure.svg,
    png: `figures/${figure.name}.png`,
  }));
  inputs.tsne.forEach(({ svg, producer }, i) => {
    if (svg)
      figures.push({
        name: `tsne-${i + 1}`,
        title: `Figure 3: distributions in the last hidden layer (${producer})`,
        caption: `Figure 3 (${producer}): t-SNE of the last hidden layer, by emotion class and by corpus, with silhouette scores.`,
        svg,
        png: `figures/tsne-${i + 1}.png`,
      });
  });
  const model: ReportModel = {
    format: REPORT_FORMAT,
    title: params.title,
    data: inputs.data,
    table2,
    comparisons,
    claims,
    strict: params.strict,
    tsne: inputs.tsne.flatMap(({ doc }) =>
      doc.models.map((m) => ({ model: m.model, label: m.label, n: m.n, silhouette: m.silhouette })),
    ),
    silhouetteSummary,
    figures,
    notes,
  };
  return { model, figures: rendered.map((r) => r.figure) };
}
