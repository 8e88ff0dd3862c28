/**
 * Figure 3 data: the last-hidden-layer embeddings of the evaluated utterances of one model,
 * embedded with t-SNE, with silhouettes by class and by corpus (in 2-D and in the hidden space).
 */
import { type PredictionRow, type PredictionsStore, readEmbeddings } from '../io/predictions-store.ts';
import { createRng } from '../stats/rng.ts';
import { silhouette } from './silhouette.ts';
import { type TsneOptions, tsne } from './tsne.ts';

export interface EmbeddedModel {
  model: string;
  method: string;
  strategy: string | null;
  n: number;
  /** Utterances left out by `maxPoints` subsampling (stratified by corpus, seeded). */
  dropped: number;
  silhouette: { tsne: { class: number; corpus: number }; hidden: { class: number; corpus: number } };
  kl: { iteration: number; value: number }[];
  points: { id: string; corpus: string; class: string; x: number; y: number }[];
}

/** Rows the paper embeds: test partitions of the training corpora and every row of an unseen corpus. */
export function rowsToEmbed(
  rows: readonly PredictionRow[],
  splits: readonly string[],
  unseen: (corpus: string) => boolean,
): PredictionRow[] {
  return rows.filter((r) => unseen(r.corpus) || splits.includes(r.split));
}

/** At most `max` rows, the same share from every corpus, chosen with a seeded shuffle. */
export function subsample(rows: readonly PredictionRow[], max: number, seed: number): PredictionRow[] {
  if (rows.length <= max) return [...rows];
  const rng = createRng(seed);
  const byCorpus = new Map<string, PredictionRow[]>();
  for (const r of rows) byCorpus.set(r.corpus, [...(byCorpus.get(r.corpus) ?? []), r]);
  const out: PredictionRow[] = [];
  for (const group of byCorpus.values()) {
    for (let i = group.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [group[i], group[j]] = [group[j]!, group[i]!];
    }
    out.push(...group.slice(0, Math.max(1, Math.round((group.length * max) / rows.length))));
  }
  return out;
}

export async function embedModel(
  store: PredictionsStore,
  rows: readonly PredictionRow[],
  info: { model: string; method: string; strategy: string | null; dropped: number },
  options: TsneOptions,
): Promise<EmbeddedModel> {
  const vectors = readEmbeddings(store, rows);
  const d = vectors[0]?.length ?? 0;
  const n = rows.length;
  const x = new Float64Array(n * d);
  vectors.forEach((v, i) => {
    x.set(v, i * d);
  });
  const result = tsne(x, n, d, options);
  const classes = rows.map((r) => r.class);
  const corpora = rows.map((r) => r.corpus);
  const finite = (v: number) => (Number.isFinite(v) ? v : Number.NaN);
  return {
    ...info,
    n,
    silhouette: {
      tsne: {
        class: finite(silhouette(result.y, 2, classes)),
        corpus: finite(silhouette(result.y, 2, corpora)),
      },
      hidden: { class: finite(silhouette(x, d, classes)), corpus: finite(silhouette(x, d, corpora)) },
    },
    kl: result.kl,
    points: rows.map((r, i) => ({
      id: r.id,
      corpus: r.corpus,
      class: r.class,
      x: result.y[2 * i]!,
      y: result.y[2 * i + 1]!,
    })),
  };
}
