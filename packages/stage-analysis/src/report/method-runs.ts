/** Gathers the evaluated models of several evaluation artifacts into methods with their seeds. */

import type { Json } from '@serx/core';
import { variantKey } from '../evaluation/producer-id.ts';
import type { CorpusEvaluation, EvaluationDoc, ModelEvaluation } from '../evaluation/types.ts';

export interface MethodRuns {
  /**
   * Method id: the model's spec stage id, plus its non-replicate matrix axes when it varies over
   * more than seeds (`ser_frozen`, `ser_frozen[encoder=temporal-conv1d]`).
   */
  method: string;
  stageId: string;
  /** Matrix axes other than the replicate axis (`seed`) that tell ablation variants apart. */
  group: { [axis: string]: Json };
  /** Human label for Table 2. */
  label: string;
  strategy: string | null;
  structure: string | null;
  /** Input features other than MFCCs (`eGeMAPSv02 functionals`), else null. */
  features: string | null;
  /** One run per replicate (seed), keyed by `variantKey` of the replicate axes (`seed=1`), sorted. */
  runs: { key: string; model: ModelEvaluation }[];
}

/** Matrix axes whose values are replicates of one method (averaged over, paired across methods). */
export const REPLICATE_AXES: readonly string[] = ['seed'];

function splitVariant(variant: { [axis: string]: Json }): {
  group: { [axis: string]: Json };
  replicate: { [axis: string]: Json };
} {
  const group: { [axis: string]: Json } = {};
  const replicate: { [axis: string]: Json } = {};
  for (const [axis, value] of Object.entries(variant))
    (REPLICATE_AXES.includes(axis) ? replicate : group)[axis] = value;
  return { group, replicate };
}

const groupText = (group: { [axis: string]: Json }) =>
  Object.keys(group)
    .sort()
    .map((k) => `${k}=${typeof group[k] === 'string' ? group[k] : JSON.stringify(group[k])}`)
    .join(',');

const STRATEGY_LABELS: { [strategy: string]: string } = {
  // ser:baseline's models: the sanity rows every CNN-LSTM must beat
  majority: 'Majority class (baseline)',
  logistic: 'Logistic regression on functionals (baseline)',
  'linear-svm': 'Linear SVM on functionals (baseline)',
  scratch: 'CNN-LSTM (from scratch)',
  frozen: 'CNN-LSTM + pre-trained encoder',
  finetune: 'CNN-LSTM + pre-trained encoder, fine-tuned',
};
/** The linear baselines on other features than MFCC functionals: named after the features (`eGeMAPSv02 + linear SVM`). */
const FEATURE_BASELINES: { [strategy: string]: string } = {
  logistic: 'logistic regression',
  'linear-svm': 'linear SVM',
};
const STRATEGY_ORDER = ['majority', 'logistic', 'linear-svm', 'scratch', 'frozen', 'finetune'];

/**
 * Table/figure label of a method: from its training strategy, else its stage id; with the input
 * features when they are not MFCCs (`eGeMAPSv02 functionals + linear SVM (baseline)`,
 * `CNN-LSTM (from scratch) on eGeMAPSv02 LLD`).
 */
export function strategyLabel(
  strategy: string | null,
  method: string,
  features: string | null = null,
): string {
  if (features && strategy && FEATURE_BASELINES[strategy])
    return `${features} + ${FEATURE_BASELINES[strategy]} (baseline)`;
  const label = (strategy && STRATEGY_LABELS[strategy]) || method;
  return features ? `${label} on ${features}` : label;
}

/** Sort rank: the baselines, scratch, frozen, finetune, then anything else. */
export function strategyRank(strategy: string | null): number {
  const i = STRATEGY_ORDER.indexOf(strategy ?? '');
  return i < 0 ? STRATEGY_ORDER.length : i;
}

/** `ser_frozen` for variant `{seed: 1}`, `ser_frozen[encoder=x]` for `{seed: 1, encoder: 'x'}`. */
export function methodIdOf(stageId: string, variant: { [axis: string]: Json }): string {
  const text = groupText(splitVariant(variant).group);
  return text === '' ? stageId : `${stageId}[${text}]`;
}

export function collectMethods(docs: readonly EvaluationDoc[]): MethodRuns[] {
  const byMethod = new Map<
    string,
    { stageId: string; group: { [axis: string]: Json }; runs: Map<string, ModelEvaluation> }
  >();
  for (const doc of docs) {
    for (const model of doc.models) {
      const { group, replicate } = splitVariant(model.variant);
      const id = methodIdOf(model.method, model.variant);
      const entry = byMethod.get(id) ?? {
        stageId: model.method,
        group,
        runs: new Map<string, ModelEvaluation>(),
      };
      entry.runs.set(variantKey(replicate), model); // the same model evaluated twice counts once
      byMethod.set(id, entry);
    }
  }
  const methods: MethodRuns[] = [...byMethod].map(([method, { stageId, group, runs }]) => {
    const first = [...runs.values()][0]!;
    const text = groupText(group);
    return {
      method,
      stageId,
      group,
      label: `${strategyLabel(first.strategy, stageId, first.features ?? null)}${text === '' ? '' : ` [${text}]`}`,
      strategy: first.strategy,
      structure: first.structure,
      features: first.features ?? null,
      runs: [...runs]
        .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
        .map(([key, model]) => ({ key, model })),
    };
  });
  // Within a strategy, the MFCC row before rows on other features (MFCC LR, then eGeMAPS LR).
  methods.sort(
    (a, b) =>
      strategyRank(a.strategy) - strategyRank(b.strategy) ||
      Number(a.features !== null) - Number(b.features !== null) ||
      a.method.localeCompare(b.method, 'en', { numeric: true }),
  );
  // Ablations may share a strategy: tell their rows apart by structure and stage id.
  const shared = methods.filter((m) => methods.filter((o) => o.label === m.label).length > 1);
  for (const m of shared) m.label = `${m.label} [${[m.structure, m.method].filter(Boolean).join(', ')}]`;
  return methods;
}

/** Methods a name stands for: the method with that id, else every method of that stage id. */
export function resolveMethods(methods: readonly MethodRuns[], name: string): MethodRuns[] {
  const exact = methods.filter((m) => m.method === name);
  return exact.length > 0 ? exact : methods.filter((m) => m.stageId === name);
}

/**
 * Pairs each `a` method with the `b` method run under the same ablation settings: the one whose
 * matrix axes agree with a's on every axis both have (b may vary over fewer axes, e.g. a scratch
 * model does not depend on the autoencoder's sparsity). Two single methods are paired as named.
 */
export function pairMethods(
  as: readonly MethodRuns[],
  bs: readonly MethodRuns[],
): [MethodRuns, MethodRuns][] {
  // One method on each side was named explicitly (`ser_frozen[sparsity=0.01]` vs
  // `ser_frozen[sparsity=0]`): compare exactly those, even though they differ on a named axis.
  if (as.length === 1 && bs.length === 1 && as[0] !== bs[0]) return [[as[0]!, bs[0]!]];
  const pairs: [MethodRuns, MethodRuns][] = [];
  for (const a of as) {
    const agree = bs.filter(
      (b) =>
        b !== a &&
        Object.keys(b.group).every(
          (axis) => !(axis in a.group) || JSON.stringify(a.group[axis]) === JSON.stringify(b.group[axis]),
        ),
    );
    if (agree.length === 1) pairs.push([a, agree[0]!]);
  }
  return pairs;
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
