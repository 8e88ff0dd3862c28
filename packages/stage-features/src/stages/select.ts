import {
  defineStage,
  type InputSpecs,
  paramsSchema,
  type StageContext,
  type StageResult,
} from '@serx/core/stage';

export interface SelectParams {
  splits: ('train' | 'validation' | 'test')[];
}

/**
 * `features:select`: one feature store with the rows of the given partitions of several stores,
 * e.g. the labelled corpora's train partitions as in-domain pretraining speech (the autoencoder
 * reads frames only, so labels go unused). Rows keep their order, store by store.
 */
const inputs = {
  features: { type: 'features', many: true, description: 'feature stores of one MFCC configuration' },
} as const satisfies InputSpecs;

export const select = defineStage({
  name: 'features:select',
  version: '1',
  description:
    'Rows of some partitions of feature stores, as one store (e.g. train partitions for pretraining)',
  params: paramsSchema<SelectParams>({
    type: 'object',
    additionalProperties: false,
    properties: {
      splits: {
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        items: { enum: ['train', 'validation', 'test'] },
        default: ['train'],
        description: 'Partitions whose rows are kept',
      },
    },
  }),
  inputs,
  outputs: { features: { type: 'features', description: 'the selected rows (feature store)' } },
  resources: { class: 'io' },
  // The implementation is imported when the stage runs, not when the plugin loads (start-up).
  run: async (ctx): Promise<StageResult | undefined> => (await import('./select-run.ts')).runSelect(ctx),
});

/** What the stage's run (select-run.ts) receives. */
export type SelectContext = StageContext<SelectParams, typeof inputs>;
