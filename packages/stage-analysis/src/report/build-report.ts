/** Gathers evaluations, t-SNE results, training histories and reconstructions into a {@link ReportModel} and its figures. */
import { ErrorCodes, SerxError } from '@serx/core';
import { checkClaim } from '../claims/check-claim.ts';
import { type Claim, normaliseClaim } from '../claims/claim.ts';
import { parseProducerId } from '../evaluation/producer-id.ts';
import type { EvaluationDoc } from '../evaluation/types.ts';
import { comparisonFigureSpec } from '../figures/comparison-figure.ts';
import { type ConfusionPanel, confusionFigureSpec } from '../figures/confusion-figure.ts';
import { type CurvePoint, learningCurvesSpec } from '../figures/learning-curves-figure.ts';
import { type ReconstructionSample, reconstructionSpec } from '../figures/reconstruction-figure.ts';
import { type RenderedFigure, renderFigure } from '../figures/render.ts';
import type { TsneDoc } from '../stages/tsne.ts';
import type { MetricName } from '../stats/metric-on-index.ts';
import { tInterval } from '../stats/t-interval.ts';
import { type Comparison, compareMethods } from './comparison.ts';
import { seeds } from './format.ts';
import {
  collectMethods,
  corpusTitle,
  type MethodRuns,
  methodIdOf,
  pairMethods,
  resolveMethods,
} from './method-runs.ts';
import { type DataCount, REPORT_FORMAT, type ReportFigure, type ReportModel } from './model.ts';
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
  tsne: { doc: TsneDoc; svg: string | null; png: Buffer | null }[];
  histories: { kind: 'ser' | 'autoencoder'; points: CurvePoint[] }[];
  reconstructions: ReconstructionSample[][];
  data: { source: string; counts: DataCount[] };
}

const METRIC_TITLES = { ua: 'UA', wa: 'WA', macroF1: 'macro-F1' } as const;

/** The pairs to compare: `params.compare` (stage or method ids), else pre-trained encoder vs scratch. */
function comparisonPairs(
  methods: readonly MethodRuns[],
  compare: ReportParams['compare'],
): [MethodRuns, MethodRuns][] {
  if (!compare) {
    const bs = methods.filter((m) => m.strategy === 'scratch');
    const frozen = methods.filter((m) => m.strategy === 'frozen');
    return pairMethods(frozen.length > 0 ? frozen : methods.filter((m) => m.strategy === 'finetune'), bs);
  }
  const resolve = (name: string) => {
    const found = resolveMethods(methods, name);
    if (found.length === 0) {
      throw new SerxError(
        ErrorCodes.CLAIM_INVALID,
        `compare names method '${name}'; evaluated methods: ${methods.map((m) => m.method).join(', ')}`,
        {
          specPath: 'params.compare',
        },
      );
    }
    return found;
  };
  const pairs = pairMethods(resolve(compare.a), resolve(compare.b));
  if (pairs.length === 0) {
    throw new SerxError(
      ErrorCodes.CLAIM_INVALID,
      `compare: no method of '${compare.a}' matches one of '${compare.b}' on their shared matrix axes`,
      {
        specPath: 'params.compare',
      },
    );
  }
  return pairs;
}

function confusionPanels(
  methods: readonly MethodRuns[],
  columns: { corpus: string; unseen: boolean }[],
): ConfusionPanel[] {
  const panels: ConfusionPanel[] = [];
  for (const m of methods) {
    for (const { corpus, unseen } of columns) {
      const runs = m.runs
        .map((r) => ({ classes: r.model.classes, c: r.model.corpora.find((x) => x.corpus === corpus) }))
        .filter((r) => r.c);
      if (runs.length === 0) continue;
      const classes = runs[0]!.classes;
      const confusion = classes.map((_, i) =>
        classes.map((_, j) => runs.reduce((s, r) => s + r.c!.confusion[i]![j]!, 0)),
      );
      panels.push({
        method: m.label,
        corpus: `${corpusTitle(corpus)}${unseen ? '*' : ''}`,
        classes,
        confusion,
      });
    }
  }
  return panels;
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
  const numClasses = methods[0]!.runs[0]!.model.classes.length;
  const stats = { level: params.level, resamples: params.resamples, seed };
  const table2 = buildTable2(methods, {
    metric: params.metric,
    level: params.level,
    reference: params.reference,
  });
  const notes: string[] = [];
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

  const rendered: { figure: RenderedFigure; caption: string }[] = [];
  const columns = table2.columns;
  const metricTitle = METRIC_TITLES[params.metric];
  if (comparisons.length > 0) {
    const single = new Set(comparisons.map((c) => `${c.a} − ${c.b}`)).size === 1;
    const title = single
      ? `${metricTitle}: ${comparisons[0]!.a} − ${comparisons[0]!.b}, paired by seed`
      : `${metricTitle} differences, paired by seed`;
    const spec = comparisonFigureSpec(
      title,
      metricTitle,
      comparisons.map((c) => ({
        corpus: single ? corpusTitle(c.corpus) : `${c.a} − ${c.b}: ${corpusTitle(c.corpus)}`,
        estimate: c.bootstrap.estimate,
        lo: c.bootstrap.lo,
        hi: c.bootstrap.hi,
        diffs: c.diffs,
      })),
    );
    const counts = [...new Set(comparisons.map((c) => c.pairedRuns.length))];
    rendered.push({
      figure: await renderFigure('comparison', title, spec),
      caption: `Paired ${metricTitle} difference per test set (${counts.length === 1 ? seeds(counts[0]!) : `${counts.join('/')} seeds`} paired by seed).`,
    });
  }
  rendered.push({
    figure: await renderFigure(
      'confusion',
      'Confusion matrices',
      confusionFigureSpec(confusionPanels(methods, columns)),
    ),
    caption: 'Confusion matrices per method and test set, counts summed over seeds (* unseen corpus).',
  });
  for (const kind of ['ser', 'autoencoder'] as const) {
    const points = inputs.histories.filter((h) => h.kind === kind).flatMap((h) => h.points);
    if (points.length === 0) continue;
    const title = kind === 'ser' ? 'SER (CNN-LSTM) learning curves' : 'Autoencoder learning curves';
    rendered.push({
      figure: await renderFigure(`curves-${kind}`, title, learningCurvesSpec(title, points)),
      caption: `${title}, per epoch, from each run's history.json.`,
    });
  }
  const samples = inputs.reconstructions.flatMap((s) => s.slice(0, params.samples));
  if (samples.length > 0) {
    rendered.push({
      figure: await renderFigure('figure2', 'Figure 2', reconstructionSpec(samples)),
      caption: 'Figure 2: (a) input MFCC series and (b) the autoencoder output.',
    });
  }
  const figures: ReportFigure[] = rendered.map(({ figure, caption }) => ({
    name: figure.name,
    title: figure.title,
    caption,
    svg: figure.svg,
    png: `figures/${figure.name}.png`,
  }));
  inputs.tsne.forEach(({ svg }, i) => {
    if (svg)
      figures.push({
        name: `tsne-${i + 1}`,
        title: 'Figure 3: distributions in the last hidden layer',
        caption:
          'Figure 3: t-SNE of the last hidden layer, by emotion class and by corpus, with silhouette scores.',
        svg,
        png: `figures/tsne-${i + 1}.png`,
      });
  });
  const embedded = inputs.tsne.flatMap(({ doc }) => doc.models);
  const idOf = (m: (typeof embedded)[number]) => methodIdOf(m.method, parseProducerId(m.model).variant);
  const silhouetteSummary = [...new Set(embedded.map(idOf))].map((method) => {
    const runs = embedded.filter((m) => idOf(m) === method);
    const ci = (pick: (m: (typeof runs)[number]) => number) =>
      tInterval(runs.map(pick).filter(Number.isFinite), params.level);
    return {
      method,
      label:
        method === runs[0]!.method
          ? runs[0]!.label
          : `${runs[0]!.label} ${method.slice(runs[0]!.method.length)}`,
      n: runs.length,
      tsneClass: ci((m) => m.silhouette.tsne.class),
      tsneCorpus: ci((m) => m.silhouette.tsne.corpus),
      hiddenClass: ci((m) => m.silhouette.hidden.class),
      hiddenCorpus: ci((m) => m.silhouette.hidden.corpus),
    };
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
