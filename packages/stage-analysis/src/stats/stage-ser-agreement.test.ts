import { reportFromConfusion } from '@serx/stage-ser';
import { describe, expect, it } from 'vitest';
import { classificationMetrics } from './classification.ts';
import { identityIndex, metricOnIndex } from './metric-on-index.ts';
import { createRng } from './rng.ts';

// The analysis keeps allocation-light metrics for its resampling loops; they must agree with the
// metrics the SER training reports (@serx/stage-ser), including absent-class conventions.
describe('agreement with @serx/stage-ser metrics', () => {
  it('UA, WA and macro-F1 match on random predictions, with and without absent classes', () => {
    const rng = createRng(5);
    for (let trial = 0; trial < 30; trial++) {
      const k = 3 + (trial % 2);
      const n = 5 + rng.int(40);
      const truth = Array.from({ length: n }, () => rng.int(trial % 3 === 0 ? k - 1 : k)); // sometimes a class never occurs
      const pred = Array.from({ length: n }, () => rng.int(k));
      const mine = classificationMetrics(truth, pred, k);
      const theirs = reportFromConfusion(
        mine.confusion,
        Array.from({ length: k }, (_, i) => `c${i}`),
      );
      expect(mine.ua).toBeCloseTo(theirs.ua, 12);
      expect(mine.wa).toBeCloseTo(theirs.wa, 12);
      expect(mine.macroF1).toBeCloseTo(theirs.macroF1, 12);
      const idx = identityIndex(n);
      expect(metricOnIndex('macroF1', truth, pred, k, idx)).toBeCloseTo(theirs.macroF1, 12);
      expect(metricOnIndex('ua', truth, pred, k, idx)).toBeCloseTo(theirs.ua, 12);
    }
  });
});
