import { describe, expect, it } from 'vitest';
import { hierarchicalBootstrap } from './bootstrap.ts';
import { classificationMetrics } from './classification.ts';
import { identityIndex, metricOnIndex } from './metric-on-index.ts';
import { pairedPredictionPermutationTest, signFlipTest, signTest } from './permutation.ts';
import { createRng } from './rng.ts';
import { studentTCdf, studentTQuantile } from './special.ts';
import { tInterval } from './t-interval.ts';

// Reference values computed once with scipy 1.x / scikit-learn and pinned here.
const truth = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2];
const pred = [0, 1, 0, 1, 2, 2, 2, 0, 2, 1];

describe('classification metrics (vs scikit-learn)', () => {
  it('UA = balanced accuracy, WA = accuracy, macro-F1, confusion', () => {
    const m = classificationMetrics(truth, pred, 3);
    expect(m.ua).toBeCloseTo(0.5888888888888889, 12);
    expect(m.wa).toBeCloseTo(0.6, 12);
    expect(m.macroF1).toBeCloseTo(0.5777777777777778, 12);
    expect(m.confusion).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [1, 1, 3],
    ]);
    expect(m.recall).toEqual([2 / 3, 0.5, 0.6]);
    expect(m.f1[1]).toBeCloseTo(0.4, 12);
  });
  it('index-based metrics agree with the full computation', () => {
    const idx = identityIndex(truth.length);
    expect(metricOnIndex('ua', truth, pred, 3, idx)).toBeCloseTo(0.5888888888888889, 12);
    expect(metricOnIndex('wa', truth, pred, 3, idx)).toBeCloseTo(0.6, 12);
    expect(metricOnIndex('macroF1', truth, pred, 3, idx)).toBeCloseTo(0.5777777777777778, 12);
  });
  it('a class absent from the truth is left out of UA', () => {
    const m = classificationMetrics([0, 0, 1], [0, 2, 1], 3);
    expect(m.absentClasses).toEqual([2]);
    expect(m.ua).toBeCloseTo(0.75, 12);
  });
});

describe('t distribution and t interval (vs scipy.stats.t)', () => {
  it('quantiles', () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706204736174694, 8);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.302652729749462, 9);
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.7764451051977934, 9);
    expect(studentTQuantile(0.975, 9)).toBeCloseTo(2.262157162798205, 9);
    expect(studentTQuantile(0.975, 29)).toBeCloseTo(2.045229642132703, 9);
  });
  it('cdf', () => {
    expect(studentTCdf(-1.3, 3)).toBeCloseTo(0.14223375436394853, 10);
    expect(studentTCdf(2.1, 7)).toBeCloseTo(0.9630644018935387, 10);
  });
  it('interval over five seeds', () => {
    const ci = tInterval([0.61, 0.58, 0.66, 0.63, 0.59]);
    expect(ci.mean).toBeCloseTo(0.614, 12);
    expect(ci.lo).toBeCloseTo(0.5741505160765108, 9);
    expect(ci.hi).toBeCloseTo(0.6538494839234892, 9);
    expect(ci.n).toBe(5);
  });
  it('one seed has no interval', () => {
    expect(tInterval([0.5])).toMatchObject({ mean: 0.5, lo: null, hi: null, n: 1 });
  });
});

describe('paired tests (vs scipy.stats.permutation_test / binomtest)', () => {
  it('exact sign-flip permutation test', () => {
    const r = signFlipTest([0.05, 0.08, -0.01, 0.03, 0.06]);
    expect(r.statistic).toBeCloseTo(0.042, 12);
    expect(r.p).toBeCloseTo(0.125, 12);
    expect(r.method).toBe('exact');
    expect(signFlipTest([0.05, 0.08, 0.01, 0.03, 0.06, 0.02, -0.02]).p).toBeCloseTo(0.0625, 12);
  });
  it('sign test', () => {
    expect(signTest([0.05, 0.08, -0.01, 0.03, 0.06]).p).toBeCloseTo(0.375, 12);
    expect(signTest([1, 1, 1, 1, 1, 1, -1, 0]).p).toBeCloseTo(0.125, 12);
    expect(signTest([1, 1, -1, -1, -1, -1, -1, -1, -1, -1]).p).toBeCloseTo(0.109375, 12);
  });
  it('utterance-level permutation: identical models give p = 1, a clearly better model a small p', () => {
    const rng = createRng(3);
    const n = 300;
    const t = Array.from({ length: n }, () => rng.int(3));
    const good = t.map((c) => (rng.next() < 0.8 ? c : (c + 1) % 3));
    const bad = t.map((c) => (rng.next() < 0.5 ? c : (c + 1) % 3));
    const same = pairedPredictionPermutationTest([{ truth: t, a: good, b: good }], {
      metric: 'ua',
      numClasses: 3,
      resamples: 200,
    });
    expect(same.p).toBe(1);
    const diff = pairedPredictionPermutationTest([{ truth: t, a: good, b: bad }], {
      metric: 'ua',
      numClasses: 3,
      resamples: 200,
    });
    expect(diff.p).toBeCloseTo((1 / 201) * 2, 12);
  });
});

describe('hierarchical bootstrap', () => {
  it('matches the normal-theory interval of a proportion and is deterministic for a seed', () => {
    const rng = createRng(7);
    const n = 2000;
    const t = new Array<number>(n).fill(0);
    const p = t.map(() => (rng.next() < 0.7 ? 0 : 1));
    const r = hierarchicalBootstrap([{ truth: t, a: p }], {
      metric: 'wa',
      numClasses: 2,
      resamples: 1000,
      seed: 1,
    });
    const wa = p.filter((x) => x === 0).length / n;
    const se = Math.sqrt((wa * (1 - wa)) / n);
    expect(r.estimate).toBeCloseTo(wa, 12);
    expect(Math.abs(r.lo - (wa - 1.96 * se))).toBeLessThan(0.004);
    expect(Math.abs(r.hi - (wa + 1.96 * se))).toBeLessThan(0.004);
    const again = hierarchicalBootstrap([{ truth: t, a: p }], {
      metric: 'wa',
      numClasses: 2,
      resamples: 1000,
      seed: 1,
    });
    expect(again).toEqual(r);
  });
  it('a paired difference of identical predictions is exactly zero; seed variation widens the interval', () => {
    const rng = createRng(11);
    const make = (acc: number) => {
      const t = Array.from({ length: 200 }, () => rng.int(3));
      return { truth: t, a: t.map((c) => (rng.next() < acc ? c : (c + 1) % 3)) };
    };
    const g = make(0.7);
    const zero = hierarchicalBootstrap([{ ...g, b: g.a }], { metric: 'ua', numClasses: 3, resamples: 200 });
    expect([zero.estimate, zero.lo, zero.hi]).toEqual([0, 0, 0]);
    const steady = hierarchicalBootstrap([make(0.7), make(0.7), make(0.7)], {
      metric: 'ua',
      numClasses: 3,
      resamples: 500,
    });
    const spread = hierarchicalBootstrap([make(0.5), make(0.7), make(0.9)], {
      metric: 'ua',
      numClasses: 3,
      resamples: 500,
    });
    expect(spread.hi - spread.lo).toBeGreaterThan(1.5 * (steady.hi - steady.lo));
    expect(spread.seeds).toBe(3);
  });
});
