import type { Json } from '@serx/core';
import { parseProducerId } from '../evaluation/producer-id.ts';
import type { EvaluationDoc } from '../evaluation/types.ts';

/**
 * An evaluation names its models as the spec that first computed it called them; its cache key does
 * not hold those names, so a spec whose node has the same key gets that entry back as it is. An
 * ablation that `extends:` the paper and adds a matrix axis hits this for its paper-valued variant:
 * `eval_baselines[normalise=utterance]` is the paper's `eval_baselines`, whose models carry no
 * `normalise`, and would be reported as `baseline_logistic` beside `baseline_logistic[normalise=corpus]`.
 * This gives each model the matrix axes of the evaluation's node in the spec being reported (its
 * `producer` here), over what was stored.
 */
export function inCurrentVariant(doc: EvaluationDoc, producer: string): EvaluationDoc {
  const current: { [axis: string]: Json } = parseProducerId(producer).variant;
  if (Object.keys(current).length === 0) return doc;
  return { ...doc, models: doc.models.map((m) => ({ ...m, variant: { ...m.variant, ...current } })) };
}
