import { describe, expect, it } from 'vitest';
import { evaluatedFixtures } from '../../test/evaluated.ts';
import { inCurrentVariant } from './current-variant.ts';
import { collectMethods } from './method-runs.ts';

const { docs } = await evaluatedFixtures();
// one evaluation of the synthetic fixtures (scratch, seed 1): its models stand in for the baselines'
const baselines = docs[0]!;

describe('an evaluation reused from another spec', () => {
  it("takes the matrix axes of the reporting spec's node (the paper's entry under normalise=utterance)", () => {
    // computed by the paper: no `normalise` axis; hit again by the ablation's `normalise=utterance` node
    const paperEntry = { ...baselines, models: baselines.models.map((m) => ({ ...m, variant: {} })) };
    const corpus = {
      ...baselines,
      models: baselines.models.map((m) => ({ ...m, variant: { normalise: 'corpus' } })),
    };
    const methods = collectMethods([
      inCurrentVariant(paperEntry, 'eval_baselines[normalise=utterance]'),
      inCurrentVariant(corpus, 'eval_baselines[normalise=corpus]'),
    ]).map((m) => m.method);
    const stages = baselines.models.map((m) => m.method);
    expect(methods.sort()).toEqual(
      stages.flatMap((s) => [`${s}[normalise=corpus]`, `${s}[normalise=utterance]`]).sort(),
    );
  });

  it('keeps the axes the evaluation node does not vary over (seeds of one evaluation)', () => {
    const seeded = { ...baselines, models: baselines.models.map((m) => ({ ...m, variant: { seed: 2 } })) };
    expect(inCurrentVariant(seeded, 'eval_scratch').models.map((m) => m.variant)).toEqual(
      baselines.models.map(() => ({ seed: 2 })),
    );
    expect(inCurrentVariant(seeded, 'eval_scratch[normalise=none]').models[0]!.variant).toEqual({
      seed: 2,
      normalise: 'none',
    });
  });
});
