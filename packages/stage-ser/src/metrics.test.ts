import { describe, expect, it } from 'vitest';
import {
  classificationReport,
  confusionMatrix,
  macroF1,
  unweightedAccuracy,
  weightedAccuracy,
} from './metrics.ts';

const classes = ['negative', 'neutral', 'positive'];
// Hand-worked example: 4 negative, 2 neutral, 4 positive utterances.
const truth = [
  'negative',
  'negative',
  'negative',
  'negative',
  'neutral',
  'neutral',
  'positive',
  'positive',
  'positive',
  'positive',
];
const pred = [
  'negative',
  'negative',
  'neutral',
  'positive',
  'neutral',
  'negative',
  'positive',
  'positive',
  'positive',
  'neutral',
];

describe('metrics', () => {
  it('builds the confusion matrix with rows = truth', () => {
    expect(confusionMatrix([0, 0, 1, 2, 2], [0, 1, 1, 2, 0], 3)).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 1],
    ]);
  });

  it('computes UA, WA and macro-F1 of a hand-worked example', () => {
    const r = classificationReport(truth, pred, classes);
    expect(r.confusion).toEqual([
      [2, 1, 1],
      [1, 1, 0],
      [0, 1, 3],
    ]);
    // recalls 2/4, 1/2, 3/4
    expect(r.recall).toEqual([0.5, 0.5, 0.75]);
    expect(r.ua).toBeCloseTo((0.5 + 0.5 + 0.75) / 3, 12);
    expect(r.wa).toBeCloseTo(6 / 10, 12);
    // precisions 2/3, 1/3, 3/4 -> F1 = 2tp / (support + predicted) = 4/7, 2/5, 6/8
    expect(r.precision[0]).toBeCloseTo(2 / 3, 12);
    expect(r.f1[0]).toBeCloseTo(4 / 7, 12);
    expect(r.f1[1]).toBeCloseTo(0.4, 12);
    expect(r.f1[2]).toBeCloseTo(0.75, 12);
    expect(r.macroF1).toBeCloseTo((4 / 7 + 0.4 + 0.75) / 3, 12);
    expect(r.support).toEqual([4, 2, 4]);
    expect(r.count).toBe(10);
  });

  it('leaves classes absent from the truth out of UA but counts spurious predictions in macro-F1', () => {
    const m = confusionMatrix([0, 0, 1], [0, 2, 1], 3);
    expect(unweightedAccuracy(m)).toBeCloseTo(0.75, 12); // (1/2 + 1) / 2
    expect(weightedAccuracy(m)).toBeCloseTo(2 / 3, 12);
    expect(macroF1(m)).toBeCloseTo((2 / 3 + 1 + 0) / 3, 12);
  });

  it('UA differs from WA on imbalanced data', () => {
    // 9 negative all right, 1 positive wrong: WA 0.9, UA 0.5
    const m = confusionMatrix([...new Array(9).fill(0), 2], [...new Array(9).fill(0), 0], 3);
    expect(weightedAccuracy(m)).toBeCloseTo(0.9, 12);
    expect(unweightedAccuracy(m)).toBeCloseTo(0.5, 12);
  });

  it('gives NaN on empty input', () => {
    const r = classificationReport([], [], classes);
    expect(r.ua).toBeNaN();
    expect(r.wa).toBeNaN();
    expect(r.macroF1).toBeNaN();
  });

  it('rejects unknown labels and length mismatches with INPUT_DATA', () => {
    expect(() => classificationReport(['negative'], ['happy'], classes)).toThrowError(
      expect.objectContaining({ code: 'INPUT_DATA', message: expect.stringContaining("'happy' at 0") }),
    );
    expect(() => confusionMatrix([0, 1], [0], 3)).toThrowError(
      expect.objectContaining({ code: 'INPUT_DATA' }),
    );
    expect(() => confusionMatrix([3], [0], 3)).toThrowError(expect.objectContaining({ code: 'INPUT_DATA' }));
  });
});
