import { describe, expect, it } from 'vitest';
import { evaluatedFixtures } from '../../test/evaluated.ts';
import { checkClaim } from '../claims/check-claim.ts';
import { parseClaim } from '../claims/claim.ts';
import type { EvaluationDoc } from '../evaluation/types.ts';
import { collectMethods, pairMethods, resolveMethods } from './method-runs.ts';
import { buildTable2 } from './table2.ts';

// An ablation: the encoder-based method runs with two encoder structures (matrix axis `encoder`),
// the scratch baseline does not vary over it. Seeds are replicates; `encoder` makes separate rows.
const { docs } = await evaluatedFixtures();
const ablation: EvaluationDoc[] = docs.flatMap((d) =>
  d.models[0]!.strategy === 'frozen'
    ? (['parry-cnn', 'temporal-conv1d'] as const).map((encoder) => ({
        ...d,
        models: d.models.map((m) => ({ ...m, variant: { ...m.variant, encoder } })),
      }))
    : [d],
);
const methods = collectMethods(ablation);
const opts = { level: 0.95, resamples: 200, seed: 1 };

describe('ablation variants', () => {
  it('are separate methods and Table 2 rows, each over its own seeds', () => {
    expect(methods.map((m) => [m.method, m.label, m.runs.map((r) => r.key)])).toEqual([
      ['ser_scratch', 'CNN-LSTM (from scratch)', ['seed=1', 'seed=2', 'seed=3']],
      [
        'ser_frozen[encoder=parry-cnn]',
        'CNN-LSTM + pre-trained encoder [encoder=parry-cnn]',
        ['seed=1', 'seed=2', 'seed=3'],
      ],
      [
        'ser_frozen[encoder=temporal-conv1d]',
        'CNN-LSTM + pre-trained encoder [encoder=temporal-conv1d]',
        ['seed=1', 'seed=2', 'seed=3'],
      ],
    ]);
    expect(buildTable2(methods, { metric: 'ua' }).rows.map((r) => r.cells.map((c) => c!.n))).toEqual([
      [3, 3, 3],
      [3, 3, 3],
      [3, 3, 3],
    ]);
  });
  it('pair with the baseline that agrees on shared axes', () => {
    const pairs = pairMethods(resolveMethods(methods, 'ser_frozen'), resolveMethods(methods, 'ser_scratch'));
    expect(pairs.map(([a, b]) => [a.method, b.method])).toEqual([
      ['ser_frozen[encoder=parry-cnn]', 'ser_scratch'],
      ['ser_frozen[encoder=temporal-conv1d]', 'ser_scratch'],
    ]);
  });
  it('two variants named explicitly are compared with each other, paired by seed', () => {
    const [a, b] = ['ser_frozen[encoder=temporal-conv1d]', 'ser_frozen[encoder=parry-cnn]'];
    const pairs = pairMethods(resolveMethods(methods, a), resolveMethods(methods, b));
    expect(pairs.map(([x, y]) => [x.method, y.method])).toEqual([[a, b]]);
    const r = checkClaim(parseClaim(`UA on tess of ${a} minus ${b} >= 0`), methods, 3, opts, 'c');
    expect(r).toMatchObject({ seeds: 3 });
  });
  it('a claim must name one variant', () => {
    expect(() =>
      checkClaim(
        parseClaim('UA on tess of ser_frozen minus ser_scratch >= 0'),
        methods,
        3,
        opts,
        'params.claims[0]',
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'analysis:CLAIM_INVALID',
        message: expect.stringContaining(
          'name one of ser_frozen[encoder=parry-cnn], ser_frozen[encoder=temporal-conv1d]',
        ),
      }),
    );
    const r = checkClaim(
      parseClaim('UA on tess of ser_frozen[encoder=temporal-conv1d] minus ser_scratch >= 0.05'),
      methods,
      3,
      opts,
      'c',
    );
    expect(r).toMatchObject({ verdict: 'holds', seeds: 3 });
  });
});
