/**
 * MLflow dataset inputs of a tracked stage (the UI's Dataset column): one per upstream artifact
 * it reads, named after the corpus it carries, with the producing stage's cache key as digest
 * and the utterance count when the producer reported one.
 */
import type { GraphNode } from '../graph/types.ts';
import type { MlflowDatasetInput } from './mlflow-client.ts';

const DATA_TYPES = ['features', 'utterances'];

export interface ProducerFacts {
  node: GraphNode;
  key: string;
  /** The producer's `utterances` metric, when it ran in this process. */
  utterances?: number;
}

export function datasetInputs(node: GraphNode, producers: Map<string, ProducerFacts>): MlflowDatasetInput[] {
  const inputs: MlflowDatasetInput[] = [];
  for (const [input, wired] of Object.entries(node.inputs)) {
    const spec = node.definition.inputs[input];
    const types: readonly string[] = typeof spec?.type === 'string' ? [spec.type] : (spec?.type ?? []);
    // Data, not models: an encoder or a model input is lineage (serx.sourceRun), not a dataset.
    if (!types.some((t) => DATA_TYPES.includes(t))) continue;
    const fits = spec?.fits === true;
    for (const ref of Array.isArray(wired) ? wired : [wired]) {
      const producer = producers.get(ref.node);
      if (!producer) continue;
      const corpora = producer.node.corpora;
      inputs.push({
        tags: [
          { key: 'mlflow.data.context', value: fits ? 'training' : 'evaluation' },
          { key: 'serx.input', value: input },
        ],
        dataset: {
          name: corpora.length === 1 ? corpora[0]! : ref.node,
          // MLflow keeps digests of at most 36 characters.
          digest: producer.key.slice(0, 36),
          source_type: 'serx',
          source: JSON.stringify({ node: ref.node, output: ref.output, key: producer.key }),
          ...(producer.utterances === undefined
            ? {}
            : { profile: JSON.stringify({ num_rows: producer.utterances }) }),
        },
      });
    }
  }
  return inputs;
}
