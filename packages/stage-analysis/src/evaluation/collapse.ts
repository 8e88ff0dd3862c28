import type { ModelEvaluation } from './types.ts';

/** A model whose evaluated predictions are at least this share one class has collapsed (issue 11). */
export const COLLAPSE_SHARE = 0.9;

export interface Collapse {
  /** The class predicted most often over every utterance the model was evaluated on. */
  class: string;
  /** Its share of those predictions, in [0, 1]. */
  share: number;
  collapsed: boolean;
  /** The same share per test set, in the model's corpus order. */
  byCorpus: { corpus: string; class: string; share: number }[];
}

function topClass(pred: readonly number[], classes: readonly string[]): { class: string; share: number } {
  const counts = new Array<number>(classes.length).fill(0);
  for (const p of pred) counts[p] = (counts[p] as number) + 1;
  const top = counts.indexOf(Math.max(...counts));
  return {
    class: classes[top] as string,
    share: pred.length === 0 ? 0 : (counts[top] as number) / pred.length,
  };
}

/**
 * Whether a model collapsed to (nearly) one class: its predictions pooled over all its test sets
 * are ≥ {@link COLLAPSE_SHARE} one class. A majority-class baseline is collapsed by construction.
 */
export function collapseOf(model: ModelEvaluation): Collapse {
  const all = model.corpora.flatMap((c) => c.utterances.pred);
  const pooled = topClass(all, model.classes);
  return {
    ...pooled,
    collapsed: all.length > 0 && pooled.share >= COLLAPSE_SHARE,
    byCorpus: model.corpora.map((c) => ({ corpus: c.corpus, ...topClass(c.utterances.pred, model.classes) })),
  };
}
