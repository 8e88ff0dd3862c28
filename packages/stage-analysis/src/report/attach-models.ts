/**
 * Names evaluated models after the trained model artifacts they came from. Predictions record the
 * model's content hash (`meta.model`); a `model` artifact wired to the report's `training` input
 * carries that hash, its producer id (`ser_frozen[seed=1]`) and its meta (`strategy`, `structure`).
 * Models the predictions already named by producer are left as they are.
 */
import type { Artifact, Json } from '@serx/core';
import { parseProducerId } from '../evaluation/producer-id.ts';
import type { EvaluationDoc } from '../evaluation/types.ts';

const text = (v: Json | undefined): string | null => (typeof v === 'string' ? v : null);

export function attachModels(docs: readonly EvaluationDoc[], training: readonly Artifact[]): EvaluationDoc[] {
  const byHash = new Map(training.filter((a) => a.type === 'model').map((a) => [a.hash, a]));
  return docs.map((doc) => ({
    ...doc,
    models: doc.models.map((m) => {
      const artifact = m.modelHash ? byHash.get(m.modelHash) : undefined;
      if (!artifact || !m.predictions.includes(m.model)) return m;
      const { stageId, variant } = parseProducerId(artifact.producer);
      const structure = artifact.meta.structure;
      return {
        ...m,
        model: artifact.producer,
        method: stageId,
        variant,
        strategy: m.strategy ?? text(artifact.meta.strategy),
        structure: m.structure ?? (typeof structure === 'string' ? structure : null),
      };
    }),
  }));
}
