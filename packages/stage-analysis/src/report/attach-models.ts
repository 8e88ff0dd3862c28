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

/** What a model's `config.json` says it was built from (content hashes). */
export interface ModelLineage {
  encoderArtifact: string | null;
  initialModel: string | null;
}

/**
 * The pretrained encoder a model rests on: its own `encoderArtifact`, else (fine-tuned) its initial
 * model's, followed through `lineage`; null when it was trained from scratch; undefined when a link
 * of the chain is not among the report's training inputs.
 */
export function encoderOf(
  hash: string,
  lineage: ReadonlyMap<string, ModelLineage>,
): string | null | undefined {
  const seen = new Set<string>();
  let current: string | null = hash;
  while (current !== null) {
    if (seen.has(current)) return undefined;
    seen.add(current);
    const entry = lineage.get(current);
    if (!entry) return undefined;
    if (entry.encoderArtifact) return entry.encoderArtifact;
    current = entry.initialModel;
  }
  return null;
}

export function attachModels(
  docs: readonly EvaluationDoc[],
  training: readonly Artifact[],
  lineage: ReadonlyMap<string, ModelLineage> = new Map(),
): EvaluationDoc[] {
  const byHash = new Map(training.filter((a) => a.type === 'model').map((a) => [a.hash, a]));
  return docs.map((doc) => ({
    ...doc,
    models: doc.models.map((m) => {
      const artifact = m.modelHash ? byHash.get(m.modelHash) : undefined;
      if (!artifact || !m.predictions.includes(m.model)) return m;
      const { stageId, variant } = parseProducerId(artifact.producer);
      const structure = artifact.meta.structure;
      const encoder = encoderOf(artifact.hash, lineage);
      return {
        ...m,
        model: artifact.producer,
        method: stageId,
        variant,
        strategy: m.strategy ?? text(artifact.meta.strategy),
        structure: m.structure ?? (typeof structure === 'string' ? structure : null),
        ...(encoder === undefined ? {} : { encoder }),
      };
    }),
  }));
}
