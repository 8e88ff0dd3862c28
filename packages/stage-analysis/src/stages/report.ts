import {
  defineStage,
  type InputSpecs,
  paramsSchema,
  type StageContext,
  type StageResult,
} from '@serx/core/stage';
import { CLAIM_SCHEMA } from '../claims/claim.ts';
import type { ReportParams } from '../report/build-report.ts';

const inputs = {
  evaluations: { type: 'evaluation', many: true },
  tsne: { type: 'tsne', many: true, optional: true },
  training: {
    type: ['model', 'encoder'],
    many: true,
    optional: true,
    description: 'for learning curves (history.json)',
  },
  reconstruction: {
    type: 'reconstruction',
    many: true,
    optional: true,
    description: 'Figure 2 samples (samples.json)',
  },
  data: {
    type: ['utterances', 'features'],
    many: true,
    optional: true,
    description: 'for the data summary (index.jsonl)',
  },
} as const satisfies InputSpecs;

/** What the stage's run (report-run.ts) receives. */
export type ReportContext = StageContext<ReportParams, typeof inputs>;

/** `analysis:report`: Table 2 with CIs, the paired comparison, claims, figures; HTML + Markdown. */
export const report = defineStage({
  name: 'analysis:report',
  version: '2',
  description:
    'Table 2 with confidence intervals, paired comparison, claims and figures as one HTML file plus Markdown',
  params: paramsSchema<ReportParams>({
    type: 'object',
    additionalProperties: false,
    properties: {
      title: { type: 'string', default: 'serx report' },
      metric: { enum: ['ua', 'wa', 'macroF1'], default: 'ua' },
      level: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.95 },
      resamples: { type: 'integer', minimum: 100, default: 2000 },
      compare: {
        type: 'object',
        additionalProperties: false,
        required: ['a', 'b'],
        properties: { a: { type: 'string' }, b: { type: 'string' } },
      },
      reference: {
        type: 'array',
        default: [],
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['label', 'values'],
          properties: {
            label: { type: 'string' },
            values: { type: 'object', additionalProperties: { type: 'number' } },
          },
        },
      },
      claims: { type: 'array', items: CLAIM_SCHEMA, default: [] },
      strict: { type: 'boolean', default: false },
      samples: { type: 'integer', minimum: 0, default: 2 },
    },
  }),
  inputs,
  outputs: { report: { type: 'report' } },
  resources: { class: 'light' },
  // The implementation is imported when the stage runs, not when the plugin loads (start-up).
  run: async (ctx): Promise<StageResult> => (await import('./report-run.ts')).runReport(ctx),
});
