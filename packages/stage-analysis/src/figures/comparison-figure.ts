import type { TopLevelSpec } from 'vega-lite';

export interface ComparisonRow {
  corpus: string;
  estimate: number;
  lo: number;
  hi: number;
  diffs: number[];
}

/** Paired difference a − b per corpus: per-seed differences (dots) and the bootstrap CI (bar). */
export function comparisonFigureSpec(
  title: string,
  metricTitle: string,
  rows: readonly ComparisonRow[],
): TopLevelSpec {
  const order = rows.map((r) => r.corpus);
  const y = { field: 'corpus', type: 'nominal' as const, sort: order, title: null };
  return {
    title: {
      text: title,
      subtitle: 'dots: one per seed; bar: 95% bootstrap CI over seeds and utterances; diamond: estimate',
    },
    width: 420,
    height: { step: 34 },
    layer: [
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#888' },
        encoding: { x: { field: 'zero', type: 'quantitative' } },
      },
      {
        data: { values: rows.map((r) => ({ corpus: r.corpus, lo: r.lo * 100, hi: r.hi * 100 })) },
        mark: { type: 'rule', strokeWidth: 3, color: '#4c78a8' },
        encoding: {
          y,
          x: { field: 'lo', type: 'quantitative', title: `${metricTitle} difference (percentage points)` },
          x2: { field: 'hi' },
        },
      },
      {
        data: { values: rows.flatMap((r) => r.diffs.map((d) => ({ corpus: r.corpus, diff: d * 100 }))) },
        mark: { type: 'circle', size: 45, color: '#e45756', opacity: 0.85 },
        encoding: { y, x: { field: 'diff', type: 'quantitative' } },
      },
      {
        data: { values: rows.map((r) => ({ corpus: r.corpus, estimate: r.estimate * 100 })) },
        mark: { type: 'point', shape: 'diamond', size: 110, filled: true, color: 'black' },
        encoding: { y, x: { field: 'estimate', type: 'quantitative' } },
      },
    ],
  } as TopLevelSpec;
}
