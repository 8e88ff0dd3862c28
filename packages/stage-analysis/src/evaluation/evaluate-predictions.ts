import { ErrorCodes, type Json, SerxError } from '@serx/core';
import type { PredictionRow } from '../io/predictions-store.ts';
import { classificationMetrics } from '../stats/classification.ts';
import { parseProducerId } from './producer-id.ts';
import {
  type CorpusEvaluation,
  EVALUATION_FORMAT,
  type EvaluationDoc,
  type ModelEvaluation,
} from './types.ts';

/** One predictions artifact as the evaluation sees it. */
export interface PredictionsInput {
  /** Producer id of the predictions artifact. */
  producer: string;
  /**
   * Artifact meta merged over the store's meta.json. Used when present: `modelProducer` (the trained
   * model's producer id), `model` (its hash), `strategy`, `structure`, `inputFeatures`, `trainCorpora`,
   * `classes`.
   */
  meta: { readonly [key: string]: Json };
  rows: readonly PredictionRow[];
  /** Where the rows came from, for error messages. */
  file: string;
}

export interface EvaluateOptions {
  heldOut: readonly string[];
  /** Splits evaluated for corpora seen in training (default `['test']`); unseen corpora are evaluated whole. */
  splits: readonly string[];
}

const str = (v: Json | undefined): string | null => (typeof v === 'string' ? v : null);

function structureName(v: Json | undefined): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && !Array.isArray(v) && typeof v.name === 'string') return v.name;
  return null;
}

function classesOf(inputs: readonly PredictionsInput[]): string[] {
  const declared = inputs[0]?.meta.classes;
  if (Array.isArray(declared) && declared.every((c) => typeof c === 'string')) return declared as string[];
  const seen = new Set<string>();
  for (const input of inputs) for (const r of input.rows) seen.add(r.class).add(r.pred);
  return [...seen].sort();
}

function evaluateCorpus(
  corpus: string,
  rows: readonly PredictionRow[],
  classes: string[],
  unseen: boolean,
  file: string,
): CorpusEvaluation {
  const index = new Map(classes.map((c, i) => [c, i]));
  const lookup = (name: string, row: PredictionRow) => {
    const i = index.get(name);
    if (i === undefined) {
      throw new SerxError(
        ErrorCodes.INPUT_DATA,
        `utterance '${row.id}' has class '${name}' outside the model's classes [${classes.join(', ')}]`,
        {
          loc: { file, line: 1, col: 1 },
        },
      );
    }
    return i;
  };
  const truth = rows.map((r) => lookup(r.class, r));
  const pred = rows.map((r) => lookup(r.pred, r));
  const m = classificationMetrics(truth, pred, classes.length);
  return {
    corpus,
    unseen,
    splits: [...new Set(rows.map((r) => r.split))].sort(),
    n: m.n,
    ua: m.ua,
    wa: m.wa,
    macroF1: m.macroF1,
    recall: Object.fromEntries(classes.map((c, i) => [c, m.recall[i] ?? null])),
    confusion: m.confusion,
    utterances: { ids: rows.map((r) => r.id), truth, pred },
  };
}

function evaluateModel(
  model: string,
  inputs: readonly PredictionsInput[],
  options: EvaluateOptions,
): ModelEvaluation {
  const meta = inputs[0]!.meta;
  const { stageId, variant } = parseProducerId(model);
  const classes = classesOf(inputs);
  const trainCorpora = Array.isArray(meta.trainCorpora) ? (meta.trainCorpora as string[]) : null;
  const byCorpus = new Map<string, { rows: PredictionRow[]; file: string }>();
  for (const input of inputs) {
    for (const row of input.rows) {
      const entry = byCorpus.get(row.corpus) ?? { rows: [], file: input.file };
      entry.rows.push(row);
      byCorpus.set(row.corpus, entry);
    }
  }
  const corpora: CorpusEvaluation[] = [];
  for (const [corpus, { rows, file }] of [...byCorpus].sort(([a], [b]) => a.localeCompare(b))) {
    const unseen =
      options.heldOut.includes(corpus) || (trainCorpora !== null && !trainCorpora.includes(corpus));
    const chosen = unseen ? rows : rows.filter((r) => options.splits.includes(r.split));
    if (chosen.length === 0) continue;
    corpora.push(evaluateCorpus(corpus, chosen, classes, unseen, file));
  }
  return {
    model,
    modelHash: str(meta.model),
    predictions: inputs.map((i) => i.producer),
    method: stageId,
    strategy: str(meta.strategy),
    structure: structureName(meta.structure),
    ...(str(meta.inputFeatures) ? { features: str(meta.inputFeatures) as string } : {}),
    variant,
    classes,
    corpora,
  };
}

/** The model's display id: its producer id when the predictions name it, else the predictions producer. */
export function modelIdOf(input: PredictionsInput): string {
  return str(input.meta.modelProducer) ?? input.producer;
}

/**
 * Evaluates every model found in the predictions: artifacts of the same trained model (same
 * `modelProducer`, else same `model` hash) are evaluated together.
 */
export function evaluatePredictions(
  inputs: readonly PredictionsInput[],
  options: EvaluateOptions,
): EvaluationDoc {
  const groups = new Map<string, PredictionsInput[]>();
  for (const input of inputs) {
    const key = str(input.meta.modelProducer) ?? str(input.meta.model) ?? input.producer;
    groups.set(key, [...(groups.get(key) ?? []), input]);
  }
  const models = [...groups.values()].map((group) => evaluateModel(modelIdOf(group[0]!), group, options));
  return { format: EVALUATION_FORMAT, heldOut: [...options.heldOut], models };
}

/** Summary metrics for tracking: `ua.tess`, `wa.emodb`, `macro_f1.iemocap`, `ua.within_mean` (prefixed by the method when several models). */
export function evaluationMetrics(doc: EvaluationDoc): { [name: string]: number } {
  const out: { [name: string]: number } = {};
  const prefix = doc.models.length > 1;
  for (const m of doc.models) {
    const p = prefix ? `${m.model.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/_+$/, '')}.` : '';
    for (const c of m.corpora) {
      out[`${p}ua.${c.corpus}`] = c.ua;
      out[`${p}wa.${c.corpus}`] = c.wa;
      out[`${p}macro_f1.${c.corpus}`] = c.macroF1;
    }
    const within = m.corpora.filter((c) => !c.unseen);
    if (within.length > 0) out[`${p}ua.within_mean`] = within.reduce((a, c) => a + c.ua, 0) / within.length;
  }
  return out;
}
