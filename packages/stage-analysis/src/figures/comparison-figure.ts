import type { TopLevelSpec } from 'vega-lite';

export interface ComparisonRow {
  /** `a − b`; rows of different pairs (ablation variants) get their own panel. */
  pair: string;
  corpus: string;
  estimate: number;
  lo: number;
  hi: number;
  diffs: number[];
}

/** Paired difference a − b per corpus: per-seed differences (dots) and the bootstrap CI (bar), one panel per pair. */
export function comparisonFigureSpec(
  title: string,
  metricTitle: string,
  rows: readonly ComparisonRow[],
): TopLevelSpec {
  const order = [...new Set(rows.map((r) => r.corpus))];
  const values = rows.flatMap((r) => [
    {
      pair: r.pair,
      corpus: r.corpus,
      kind: 'ci',
      lo: r.lo * 100,
      hi: r.hi * 100,
      estimate: r.estimate * 100,
    },
    ...r.diffs.map((d) => ({ pair: r.pair, corpus: r.corpus, kind: 'seed', diff: d * 100 })),
  ]);
  const y = { field: 'corpus', type: 'nominal' as const, sort: order, title: null };
  const x = (field: string) => ({
    field,
    type: 'quantitative' as const,
    title: `${metricTitle} difference (percentage points)`,
    axis: { format: '.1f' },
  });
  return {
    title: {
      text: title,
      subtitle: 'dots: one per seed; bar: 95% bootstrap CI over seeds and utterances; diamond: estimate',
    },
    data: { values },
    facet: {
      row: {
        field: 'pair',
        type: 'nominal',
        title: null,
        header: {
          labelAngle: 0,
          labelOrient: 'top',
          labelAlign: 'left',
          labelAnchor: 'start',
          labelLimit: 900,
        },
      },
    },
    spec: {
      width: 460,
      height: { step: 30 },
      layer: [
        {
          mark: { type: 'rule', strokeDash: [4, 3], color: '#888' },
          encoding: { x: { datum: 0, type: 'quantitative' } },
        },
        {
          transform: [{ filter: "datum.kind === 'ci'" }],
          mark: { type: 'rule', strokeWidth: 3, color: '#4c78a8' },
          encoding: { y, x: x('lo'), x2: { field: 'hi' } },
        },
        {
          transform: [{ filter: "datum.kind === 'seed'" }],
          mark: { type: 'circle', size: 45, color: '#e45756', opacity: 0.85 },
          encoding: { y, x: x('diff') },
        },
        {
          transform: [{ filter: "datum.kind === 'ci'" }],
          mark: { type: 'point', shape: 'diamond', size: 110, filled: true, color: 'black' },
          encoding: { y, x: x('estimate') },
        },
      ],
    },
  } as TopLevelSpec;
}
