import {
  defineStage,
  type InputSpecs,
  paramsSchema,
  type StageContext,
  type StageResult,
} from '@serx/core/stage';

export interface EvaluateParams {
  splits: string[];
}

export const EVALUATION_FILE = 'evaluation.json';

const inputs = {
  predictions: { type: 'predictions', many: true, description: 'ser:predict outputs' },
} as const satisfies InputSpecs;

/** What the stage's run (evaluate-run.ts) receives. */
export type EvaluateContext = StageContext<EvaluateParams, typeof inputs>;

/** `analysis:evaluate`: UA, WA, macro-F1 and confusion per corpus for each model's predictions. */
export const evaluate = defineStage({
  name: 'analysis:evaluate',
  version: '3',
  description:
    'UA (mean per-class recall), WA, macro-F1 and confusion matrix per corpus, for each trained model',
  params: paramsSchema<EvaluateParams>({
    type: 'object',
    additionalProperties: false,
    properties: {
      splits: { type: 'array', items: { type: 'string' }, minItems: 1, default: ['test'] },
    },
  }),
  inputs,
  outputs: { evaluation: { type: 'evaluation' } },
  resources: { class: 'light' },
  tracked: true,
  // The implementation is imported when the stage runs, not when the plugin loads (start-up).
  run: async (ctx): Promise<StageResult> => (await import('./evaluate-run.ts')).runEvaluate(ctx),
});
