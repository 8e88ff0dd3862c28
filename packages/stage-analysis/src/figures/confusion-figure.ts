import type { TopLevelSpec } from 'vega-lite';

export interface ConfusionPanel {
  method: string;
  corpus: string;
  classes: string[];
  /** confusion[true][pred] counts (summed over seeds). */
  confusion: number[][];
}

/** Confusion matrices: rows = methods, columns = corpora; colour = share of the true class, text = count. */
export function confusionFigureSpec(panels: readonly ConfusionPanel[]): TopLevelSpec {
  const values = panels.flatMap((p) =>
    p.classes.flatMap((t, i) => {
      const total = p.confusion[i]!.reduce((a, b) => a + b, 0);
      return p.classes.map((q, j) => {
        const count = p.confusion[i]![j]!;
        return {
          method: p.method,
          corpus: p.corpus,
          truth: t,
          predicted: q,
          count,
          rate: total === 0 ? 0 : count / total,
        };
      });
    }),
  );
  const cell = 44;
  const classes = panels[0]?.classes ?? [];
  return {
    title: { text: 'Confusion matrices (counts summed over seeds; colour = recall share of the true class)' },
    data: { values },
    facet: {
      row: {
        field: 'method',
        type: 'nominal',
        title: null,
        header: { labelAngle: 0, labelAlign: 'left', labelLimit: 420 },
      },
      column: {
        field: 'corpus',
        type: 'nominal',
        title: null,
        sort: [...new Set(panels.map((p) => p.corpus))],
      },
    },
    spec: {
      width: cell * classes.length,
      height: cell * classes.length,
      layer: [
        {
          mark: 'rect',
          encoding: {
            x: { field: 'predicted', type: 'nominal', sort: classes, title: 'predicted' },
            y: { field: 'truth', type: 'nominal', sort: classes, title: 'true' },
            color: {
              field: 'rate',
              type: 'quantitative',
              scale: { scheme: 'blues', domain: [0, 1] },
              title: 'share',
            },
          },
        },
        {
          mark: { type: 'text', fontSize: 12 },
          encoding: {
            x: { field: 'predicted', type: 'nominal', sort: classes },
            y: { field: 'truth', type: 'nominal', sort: classes },
            text: { field: 'count', type: 'quantitative' },
            color: { condition: { test: 'datum.rate > 0.55', value: 'white' }, value: 'black' },
          },
        },
      ],
    },
    resolve: { axis: { x: 'independent', y: 'independent' } },
  } as TopLevelSpec;
}
