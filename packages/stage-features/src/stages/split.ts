import {
  defineStage,
  type InputSpecs,
  paramsSchema,
  type StageContext,
  type StageResult,
} from '@serx/core/stage';
import type { SplitRule } from '../split/types.ts';

export interface SplitParams {
  rule?: SplitRule;
  mapping?: Record<string, string>;
  useDefaultMapping?: boolean;
}

const inputs = { utterances: { type: 'utterances' } } as const satisfies InputSpecs;
const speakerList = { type: 'array', items: { type: 'string' } } as const;
const fraction = { type: 'number', minimum: 0, maximum: 1 } as const;

/**
 * `features:split`: maps labels to classes and assigns every utterance to train / validation /
 * test (speaker-independent); writes `leakage.json`. A speaker in two partitions (other than the
 * paper's own SAVEE KL halving) is SPLIT_LEAKAGE; an unmapped label is LABEL_UNMAPPED.
 */
export const split = defineStage({
  name: 'features:split',
  version: '1',
  description: 'Map labels to classes and split by speaker (paper section 3.1 by default)',
  params: paramsSchema<SplitParams>({
    type: 'object',
    additionalProperties: false,
    properties: {
      rule: {
        default: 'paper',
        description:
          "'paper' (section 3.1), 'all-test', 'all-train', {speakers: {...}, rest}, or {speakerFraction: {validation, test}}",
        oneOf: [
          { enum: ['paper', 'all-test', 'all-train'] },
          {
            type: 'object',
            additionalProperties: false,
            required: ['speakers'],
            properties: {
              speakers: {
                type: 'object',
                additionalProperties: false,
                properties: { train: speakerList, validation: speakerList, test: speakerList },
              },
              rest: { enum: ['train', 'validation', 'test', 'drop'] },
            },
          },
          {
            type: 'object',
            additionalProperties: false,
            required: ['speakerFraction'],
            properties: {
              speakerFraction: {
                type: 'object',
                additionalProperties: false,
                properties: { validation: fraction, test: fraction },
              },
            },
          },
        ],
      },
      mapping: {
        type: 'object',
        additionalProperties: { type: 'string', minLength: 1 },
        description: 'label → class (or drop), laid over the default mapping',
      },
      useDefaultMapping: { type: 'boolean', default: true },
    },
  }),
  inputs,
  outputs: {
    utterances: { type: 'utterances', description: 'rows with split and class, plus leakage.json' },
  },
  resources: { class: 'light' },
  // The implementation is imported when the stage runs, not when the plugin loads (start-up).
  run: async (ctx): Promise<StageResult | undefined> => (await import('./split-run.ts')).runSplit(ctx),
});

/** What the stage's run (split-run.ts) receives. */
export type SplitContext = StageContext<SplitParams, typeof inputs>;
