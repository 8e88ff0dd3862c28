import type { TopLevelSpec } from 'vega-lite';

export interface CurvePoint {
  /** Producer of the model or encoder, e.g. `ser_frozen[seed=1]`, `ae`. */
  run: string;
  epoch: number;
  /** Series name from history.json, e.g. `loss`, `val_loss`, `val_ua`. */
  series: string;
  value: number;
}

/** Which panel a series goes to: accuracies (UA/WA), total losses, or other loss terms (MSE, L1...). */
export function seriesGroup(series: string): 'accuracy' | 'loss' | 'loss terms' {
  if (/ua|wa|acc|f1/i.test(series)) return 'accuracy';
  if (/loss/i.test(series)) return 'loss';
  return 'loss terms';
}

/** Learning curves: one column per run; rows for losses, other loss terms and accuracies, each on its own scale. */
export function learningCurvesSpec(title: string, points: readonly CurvePoint[]): TopLevelSpec {
  const chart = (values: CurvePoint[], yTitle: string) => ({
    data: { values },
    facet: { column: { field: 'run', type: 'nominal' as const, title: null } },
    spec: {
      width: 240,
      height: 160,
      mark: { type: 'line' as const, point: { size: 18 } },
      encoding: {
        x: {
          field: 'epoch',
          type: 'quantitative' as const,
          title: 'epoch',
          axis: { tickMinStep: 1, format: 'd' },
        },
        y: { field: 'value', type: 'quantitative' as const, title: yTitle, scale: { zero: false } },
        color: { field: 'series', type: 'nominal' as const, title: 'series' },
      },
    },
  });
  const parts = (['loss', 'loss terms', 'accuracy'] as const)
    .map((group) => ({ group, values: points.filter((p) => seriesGroup(p.series) === group) }))
    .filter((g) => g.values.length > 0)
    .map((g) => chart(g.values, g.group));
  return {
    title: { text: title },
    vconcat: parts,
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
}
