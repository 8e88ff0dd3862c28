// Type-level tests: `tsc -p packages/core` (the package's typecheck target) fails if ctx.inputs
// loses its typing; the runtime assertions check the same definitions behave as declared.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type Artifact,
  defineStage,
  type InputSpecs,
  paramsSchema,
  type StageContext,
  type StageDefinition,
} from '../../src/contract.ts';

interface ScaleParams {
  factor: number;
}

const scale = defineStage({
  name: 'test:scale',
  version: '1',
  params: paramsSchema<ScaleParams>({
    type: 'object',
    properties: { factor: { type: 'number' } },
    required: ['factor'],
  }),
  inputs: {
    numbers: { type: 'numbers' },
    more: { type: ['numbers', 'vectors'], many: true, fits: true },
    init: { type: 'model', optional: true },
    extras: { type: 'numbers', many: true, optional: true },
    single: { type: 'numbers', many: false, optional: false },
  },
  outputs: { numbers: { type: 'numbers' } },
  async run(ctx) {
    expectTypeOf(ctx.params.factor).toEqualTypeOf<number>();
    expectTypeOf(ctx.inputs.numbers).toEqualTypeOf<Artifact>();
    expectTypeOf(ctx.inputs.more).toEqualTypeOf<readonly Artifact[]>();
    expectTypeOf(ctx.inputs.init).toEqualTypeOf<Artifact | undefined>();
    expectTypeOf(ctx.inputs.extras).toEqualTypeOf<readonly Artifact[] | undefined>();
    expectTypeOf(ctx.inputs.single).toEqualTypeOf<Artifact>();
    // Compile-time only (never called): each line is a mistake the type checker must catch.
    const mistakes = () => [
      // @ts-expect-error an input the stage does not declare
      ctx.inputs.nothing,
      // @ts-expect-error a single input is not a list
      ctx.inputs.numbers.map,
      // @ts-expect-error an optional input may be missing
      ctx.inputs.init.path,
    ];
    void mistakes;
    return { metrics: { seen: ctx.inputs.more.length + (ctx.inputs.init ? 1 : 0) } };
  },
});

describe('typed stage inputs', () => {
  it('a typed definition still is a StageDefinition the runner takes, and runs with the inputs as declared', async () => {
    const generic: StageDefinition = scale;
    const artifact = (producer: string): Artifact => ({
      path: `/tmp/${producer}`,
      type: 'numbers',
      hash: producer,
      producer,
      meta: {},
      corpora: [],
    });
    const ctx = {
      params: { factor: 2 },
      inputs: { numbers: artifact('a'), more: [artifact('b'), artifact('c')] },
    } as unknown as StageContext<ScaleParams, typeof scale.inputs>;
    expect(await generic.run(ctx)).toEqual({ metrics: { seen: 2 } });
  });

  it('the loose form (defineStage<P> or InputSpecs) keeps the old untyped map', () => {
    const loose = defineStage<ScaleParams>({
      name: 'test:loose',
      version: '1',
      params: {},
      inputs: { numbers: { type: 'numbers' } },
      outputs: {},
      async run(ctx) {
        expectTypeOf(ctx.inputs.numbers).toEqualTypeOf<Artifact | readonly Artifact[] | undefined>();
        expectTypeOf(ctx.inputs.anything).toEqualTypeOf<Artifact | readonly Artifact[] | undefined>();
      },
    });
    expect(loose.name).toBe('test:loose');
  });

  it('a helper can name the inputs of the stage it serves', () => {
    const inputs = { utterances: { type: 'utterances' } } as const satisfies InputSpecs;
    const helper = (ctx: StageContext<ScaleParams, typeof inputs>) => ctx.inputs.utterances.path;
    expectTypeOf(helper).returns.toEqualTypeOf<string>();
  });
});
