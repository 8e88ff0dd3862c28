import type { TopLevelSpec } from 'vega-lite';

export interface TsnePanelModel {
  /** Column title, e.g. `from scratch` / `pre-trained encoder`. */
  title: string;
  points: { x: number; y: number; class: string; corpus: string }[];
  silhouette: { class: number; corpus: number };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/**
 * Figure 3: one row per colouring (by class, by corpus), one column per model, as in the paper:
 * (a) scratch / class, (b) encoder / class, (c) scratch / corpus, (d) encoder / corpus.
 */
export function tsneFigureSpec(models: readonly TsnePanelModel[], size = 260): TopLevelSpec {
  const rows = (['class', 'corpus'] as const).map((field, r) => ({
    hconcat: models.map((m, c) => ({
      title: {
        text: `(${LETTERS[r * models.length + c]}) ${m.title} — by ${field}`,
        subtitle: `silhouette by ${field}: ${m.silhouette[field].toFixed(3)}`,
      },
      width: size,
      height: size,
      data: { values: m.points },
      mark: { type: 'circle' as const, size: 14, opacity: 0.7 },
      encoding: {
        x: {
          field: 'x',
          type: 'quantitative' as const,
          title: 't-SNE 1',
          axis: { labels: false, ticks: false, grid: false },
        },
        y: {
          field: 'y',
          type: 'quantitative' as const,
          title: 't-SNE 2',
          axis: { labels: false, ticks: false, grid: false },
        },
        color: {
          field,
          type: 'nominal' as const,
          title: field === 'class' ? 'emotion class' : 'corpus',
          scale: { scheme: field === 'class' ? 'set1' : 'tableau10' },
        },
      },
    })),
  }));
  return {
    title: { text: 'Last-hidden-layer activations (t-SNE)', fontSize: 16 },
    vconcat: rows,
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
}
