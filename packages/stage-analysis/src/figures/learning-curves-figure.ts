import type { TopLevelSpec } from 'vega-lite';

export interface CurvePoint {
  /** Producer of the model or encoder, e.g. `ser_frozen[seed=1]`, `ae`. */
  run: string;
  epoch: number;
  /** Series name from history.json, e.g. `loss`, `val_loss`, `val_ua`. */
  series: string;
  value: number;
}

/** Learning curves: one column per run, losses on top and accuracies (UA/WA) below, independent scales. */
export function learningCurvesSpec(title: string, points: readonly CurvePoint[]): TopLevelSpec {
  const isLoss = (s: string) => /loss|mse/i.test(s);
  const chart = (values: CurvePoint[], yTitle: string) => ({
    data: { values },
    facet: { column: { field: 'run', type: 'nominal' as const, title: null } },
    spec: {
      width: 240,
      height: 160,
      mark: { type: 'line' as const, point: { size: 18 } },
      encoding: {
        x: { field: 'epoch', type: 'quantitative' as const, title: 'epoch', axis: { tickMinStep: 1 } },
        y: { field: 'value', type: 'quantitative' as const, title: yTitle, scale: { zero: false } },
        color: { field: 'series', type: 'nominal' as const, title: 'series' },
      },
    },
  });
  const losses = points.filter((p) => isLoss(p.series));
  const others = points.filter((p) => !isLoss(p.series));
  const parts = [
    losses.length > 0 ? chart(losses, 'loss') : null,
    others.length > 0 ? chart(others, 'accuracy') : null,
  ].filter((x) => x !== null);
  return {
    title: { text: title },
    vconcat: parts,
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
}
