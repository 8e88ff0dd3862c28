/** The `evaluation` artifact (`evaluation.json`), read by the report stage and by tests. */
import type { Json } from '@serx/core';

export const EVALUATION_FORMAT = 'serx-evaluation/1';

export interface CorpusEvaluation {
  corpus: string;
  /** Held out from training (cross-corpus); otherwise a within-corpus test partition. */
  unseen: boolean;
  /** Splits of the rows evaluated (`test`, or every split of an unseen corpus). */
  splits: string[];
  n: number;
  ua: number;
  wa: number;
  macroF1: number;
  /** Recall per class name (null: no true examples of that class). */
  recall: { [className: string]: number | null };
  /** confusion[true][pred] counts, in `classes` order. */
  confusion: number[][];
  /** Per-utterance truth and prediction (indices into `classes`) for bootstrap and permutation tests. */
  utterances: { ids: string[]; truth: number[]; pred: number[] };
}

export interface ModelEvaluation {
  /** Identity of the trained model: its producer id (`ser_frozen[seed=1]`), else the predictions producer. */
  model: string;
  /** Content hash of the trained model artifact when the predictions name it (`meta.model`). */
  modelHash: string | null;
  /** Producer of the predictions artifact(s). */
  predictions: string[];
  /** The method: the model's spec stage id without matrix variant (`ser_frozen`). */
  method: string;
  /** Training strategy from the model's meta (`scratch`, `frozen`, `finetune`) when known. */
  strategy: string | null;
  structure: string | null;
  /**
   * The input features when they are not MFCCs (`eGeMAPSv02 functionals`, `eGeMAPSv02 LLD`), from
   * the predictions' `inputFeatures`; absent for MFCCs.
   */
  features?: string;
  /**
   * Content hash of the pretrained encoder the model was built on (its own, or its initial model's
   * for a fine-tuned one); null for a model trained from scratch; absent when not known.
   */
  encoder?: string | null;
  /** Matrix variant of the model (`{ seed: 1 }`), the key that pairs methods run on the same seed. */
  variant: { [axis: string]: Json };
  classes: string[];
  corpora: CorpusEvaluation[];
}

export interface EvaluationDoc {
  format: typeof EVALUATION_FORMAT;
  heldOut: string[];
  models: ModelEvaluation[];
}
