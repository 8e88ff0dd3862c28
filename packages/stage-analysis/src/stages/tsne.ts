import {
  defineStage,
  type InputSpecs,
  paramsSchema,
  type StageContext,
  type StageResult,
} from '@serx/core/stage';
import type { EmbeddedModel } from '../tsne/embed-predictions.ts';

export interface TsneParams {
  perplexity: number;
  iterations: number;
  theta: number;
  /** `barnes-hut` (O(n log n) per iteration) or `exact` (O(n²), at most 3000 points). */
  method: 'barnes-hut' | 'exact';
  /** Embed at most this many utterances per model (stratified by corpus, seeded). */
  maxPoints: number;
  splits: string[];
}

export const TSNE_FILE = 'tsne.json';
export const EXACT_LIMIT = 3000;

/** The `tsne` artifact: `tsne.json` (this), `tsne.svg`, `tsne.png`. */
export interface TsneDoc {
  format: 'serx-tsne/1';
  params: TsneParams & { seed: number };
  models: (EmbeddedModel & { label: string })[];
}

const inputs = {
  predictions: {
    type: 'predictions',
    many: true,
    description: 'one ser:predict output per model (e.g. scratch and frozen of one seed)',
  },
  models: {
    type: 'model',
    many: true,
    optional: true,
    description: 'the trained models, to name each panel after its model and strategy (matched by hash)',
  },
} as const satisfies InputSpecs;

/** What the stage's run (tsne-run.ts) receives. */
export type TsneContext = StageContext<TsneParams, typeof inputs>;

/** `analysis:tsne`: Figure 3 — t-SNE of last-hidden-layer activations, by class and by corpus, with silhouettes. */
export const tsneStage = defineStage({
  name: 'analysis:tsne',
  version: '2',
  description:
    'Barnes-Hut t-SNE of the last hidden layer per model (by class, by corpus) with silhouette scores',
  params: paramsSchema<TsneParams>({
    type: 'object',
    additionalProperties: false,
    properties: {
      perplexity: { type: 'number', exclusiveMinimum: 1, default: 30 },
      iterations: { type: 'integer', minimum: 300, default: 1000 },
      theta: { type: 'number', minimum: 0, maximum: 1, default: 0.5 },
      method: { enum: ['barnes-hut', 'exact'], default: 'barnes-hut' },
      maxPoints: { type: 'integer', minimum: 10, default: 5000 },
      splits: { type: 'array', items: { type: 'string' }, minItems: 1, default: ['test'] },
    },
  }),
  inputs,
  outputs: { tsne: { type: 'tsne' } },
  resources: { class: 'cpu-heavy' },
  // The implementation is imported when the stage runs, not when the plugin loads (start-up).
  run: async (ctx): Promise<StageResult> => (await import('./tsne-run.ts')).runTsne(ctx),
});
