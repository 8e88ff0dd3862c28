/** A test plugin whose stage writes synthetic predictions (documented store format) in place of ser:predict. */
import { definePlugin, defineStage } from '@serx/core';
import { FROZEN, SCRATCH, writeMethodPredictionsTo } from '../fixtures.ts';

const predictions = defineStage<{ strategy: 'scratch' | 'frozen' }>({
  name: 'fixture:predictions',
  version: '1',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['strategy'],
    properties: { strategy: { enum: ['scratch', 'frozen'] } },
  },
  inputs: {},
  outputs: { predictions: { type: 'predictions' } },
  corpora: () => ['emodb', 'savee', 'tess'],
  async run(ctx) {
    const spec = ctx.params.strategy === 'scratch' ? SCRATCH : FROZEN;
    await writeMethodPredictionsTo(ctx.outputs.predictions!, spec, ctx.seed);
    return {
      meta: {
        predictions: {
          modelProducer: ctx.id,
          strategy: spec.strategy,
          trainCorpora: ['emodb', 'savee'],
          classes: ['negative', 'neutral', 'positive'],
        },
      },
    };
  },
});

export const plugin = definePlugin({
  name: 'analysis-test-fixtures',
  version: '1.0.0',
  stages: [predictions],
});
export default plugin;
