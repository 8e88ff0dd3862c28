/** Gathers the evaluated models of several evaluation artifacts into methods with their seeds. */

import { variantKey } from '../evaluation/producer-id.ts';
import type { CorpusEvaluation, EvaluationDoc, ModelEvaluation } from '../evaluation/types.ts';

export interface MethodRuns {
  /** Spec stage id of the model (`ser_frozen`). */
  method: string;
  /** Human label for Table 2. */
  label: string;
  strategy: string | null;
  structure: string | null;
  /** One run per matrix variant, keyed by `variantKey` (seed=1, ...), sorted. */
  runs: { key: string; model: ModelEvaluation }[];
}

const STRATEGY_LABELS: { [strategy: string]: string } = {
  scratch: 'CNN-LSTM (from scratch)',
  frozen: 'CNN-LSTM + pre-trained encoder',
  finetune: 'CNN-LSTM + pre-trained encoder, fine-tuned',
};
const STRATEGY_ORDER = ['scratch', 'frozen', 'finetune'];

/** Table/figure label of a method: from its training strategy, else its stage id. */
export function strategyLabel(strategy: string | null, method: string): string {
  return (strategy && STRATEGY_LABELS[strategy]) || method;
}

/** Sort rank: scratch, frozen, finetune, then anything else. */
export function strategyRank(strategy: string | null): number {
  const i = STRATEGY_ORDER.indexOf(strategy ?? '');
  return i < 0 ? STRATEGY_ORDER.length : i;
}

export function collectMethods(docs: readonly EvaluationDoc[]): MethodRuns[] {
  const byMethod = new Map<string, Map<string, ModelEvaluation>>();
  for (const doc of docs) {
    for (const model of doc.models) {
      const runs = byMethod.get(model.method) ?? new Map<string, ModelEvaluation>();
      runs.set(variantKey(model.variant), model); // the same model evaluated twice counts once
      byMethod.set(model.method, runs);
    }
  }
  const methods: MethodRuns[] = [...byMethod].map(([method, runs]) => {
    const first = [...runs.values()][0]!;
    return {
      method,
      label: strategyLabel(first.strategy, method),
      strategy: first.strategy,
      structure: first.structure,
      runs: [...runs]
        .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
        .map(([key, model]) => ({ key, model })),
    };
  });
  methods.sort(
    (a, b) => strategyRank(a.strategy) - strategyRank(b.strategy) || a.method.localeCompare(b.method),
  );
  // Ablations share a strategy: tell their rows apart by structure and stage id.
  const shared = methods.filter((m) => methods.filter((o) => o.label === m.label).length > 1);
  for (const m of shared) m.label = `${m.label} [${[m.structure, m.method].filter(Boolean).join(', ')}]`;
  return methods;
}

/** Every corpus evaluated by some method: within-corpus test sets first, then unseen corpora. */
export function collectCorpora(methods: readonly MethodRuns[]): { corpus: string; unseen: boolean }[] {
  const seen = new Map<string, boolean>();
  for (const m of methods)
    for (const r of m.runs)
      for (const c of r.model.corpora) seen.set(c.corpus, (seen.get(c.corpus) ?? false) || c.unseen);
  return [...seen]
    .map(([corpus, unseen]) => ({ corpus, unseen }))
    .sort((a, b) => Number(a.unseen) - Number(b.unseen) || a.corpus.localeCompare(b.corpus));
}

export function corpusOf(model: ModelEvaluation, corpus: string): CorpusEvaluation | undefined {
  return model.corpora.find((c) => c.corpus === corpus);
}

const DISPLAY: { [corpus: string]: string } = {
  emodb: 'Emo-DB',
  emovo: 'EMOVO',
  iemocap: 'IEMOCAP',
  ravdess: 'RAVDESS',
  savee: 'SAVEE',
  tess: 'TESS',
  voxceleb: 'VoxCeleb',
};
export function corpusTitle(corpus: string): string {
  return DISPLAY[corpus] ?? corpus;
}
