import { describe, expect, it } from 'vitest';
import { evaluatedFixtures } from '../../test/evaluated.ts';
import { collectMethods } from '../report/method-runs.ts';
import { checkClaim, verdictOf } from './check-claim.ts';
import { parseClaim } from './claim.ts';

const methods = collectMethods((await evaluatedFixtures()).docs);
const opts = { level: 0.95, resamples: 500, seed: 3 };

describe('claims', () => {
  it('parses the string form', () => {
    expect(parseClaim('UA on tess of ser_frozen minus ser_scratch >= 0.05')).toEqual({
      metric: 'ua',
      corpus: 'tess',
      a: 'ser_frozen',
      b: 'ser_scratch',
      op: '>=',
      value: 0.05,
      text: 'UA on tess of ser_frozen minus ser_scratch >= 0.05',
    });
    expect(parseClaim('macro-F1 on emodb of ser_frozen ≥ 5%')).toMatchObject({
      metric: 'macroF1',
      a: 'ser_frozen',
      op: '>=',
      value: 0.05,
    });
    expect(parseClaim('WA on savee of x < -0.5')).toMatchObject({ metric: 'wa', op: '<', value: -0.5 });
  });
  it('rejects a malformed claim with CLAIM_INVALID and its spec path', () => {
    expect(() => parseClaim('frozen beats scratch', 'stages.report.params.claims[1]')).toThrow(
      expect.objectContaining({ code: 'analysis:CLAIM_INVALID', specPath: 'stages.report.params.claims[1]' }),
    );
  });
  it('verdict from the CI', () => {
    expect(verdictOf('>=', 0.05, 0.06, 0.2)).toBe('holds');
    expect(verdictOf('>=', 0.05, 0.01, 0.2)).toBe('inconclusive');
    expect(verdictOf('>=', 0.05, -0.1, 0.04)).toBe('does not hold');
    expect(verdictOf('<', 0, -0.3, -0.1)).toBe('holds');
    expect(verdictOf('<', 0, 0, 0.1)).toBe('does not hold');
  });
  it('checks claims against the bootstrap CI over seeds and utterances', () => {
    const big = checkClaim(
      parseClaim('UA on tess of ser_frozen minus ser_scratch >= 0.05'),
      methods,
      3,
      opts,
      'c',
    );
    expect(big).toMatchObject({ verdict: 'holds', seeds: 3, utterances: 60 });
    expect(big.lo).toBeGreaterThan(0.05);
    expect(big.p!.signFlip).toBe(0.25);
    const huge = checkClaim(
      parseClaim('UA on tess of ser_frozen minus ser_scratch >= 0.6'),
      methods,
      3,
      opts,
      'c',
    );
    expect(huge.verdict).toBe('does not hold');
    expect(huge.hi).toBeLessThan(0.6);
    const above = checkClaim(
      { metric: 'ua', corpus: 'tess', a: 'ser_frozen', op: '>', value: 0.3 },
      methods,
      3,
      opts,
      'c',
    );
    expect(above.verdict).toBe('holds');
    const atEstimate = checkClaim(
      { metric: 'ua', corpus: 'tess', a: 'ser_frozen', op: '>', value: above.estimate },
      methods,
      3,
      opts,
      'c',
    );
    expect(atEstimate.verdict).toBe('inconclusive');
    expect(atEstimate.p).toBeUndefined();
  });
  it('names the unknown method', () => {
    expect(() =>
      checkClaim(
        parseClaim('UA on tess of ser_nope >= 0.1'),
        methods,
        3,
        opts,
        'stages.report.params.claims[0]',
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'analysis:CLAIM_INVALID',
        message: expect.stringContaining("names method 'ser_nope'"),
      }),
    );
  });
});
