/** The report's own figures (comparison, confusion, learning curves, Figure 2), rendered to SVG + PNG. */
import { comparisonFigureSpec } from '../figures/comparison-figure.ts';
import { type ConfusionPanel, confusionFigureSpec } from '../figures/confusion-figure.ts';
import { learningCurvesSpec } from '../figures/learning-curves-figure.ts';
import { reconstructionSpec } from '../figures/reconstruction-figure.ts';
import { type RenderedFigure, renderFigure } from '../figures/render.ts';
import type { ReportInputs, ReportParams } from './build-report.ts';
import type { Comparison } from './comparison.ts';
import { seeds } from './format.ts';
import { corpusTitle, type MethodRuns } from './method-runs.ts';

const METRIC_TITLES = { ua: 'UA', wa: 'WA', macroF1: 'macro-F1' } as const;

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

export async function renderReportFigures(
  methods: readonly MethodRuns[],
  columns: { corpus: string; unseen: boolean }[],
  comparisons: readonly Comparison[],
  inputs: ReportInputs,
  params: ReportParams,
): Promise<{ figure: RenderedFigure; caption: string }[]> {
  const rendered: { figure: RenderedFigure; caption: string }[] = [];
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
        pair: `${c.a} − ${c.b}`,
        corpus: corpusTitle(c.corpus),
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
  return rendered;
}
