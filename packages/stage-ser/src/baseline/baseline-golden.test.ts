import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTIONALS, functionalsOf } from './functionals.ts';
import { decisionValues, fitLinearSvm } from './linear-svm.ts';
import {
  fitLogisticRegression,
  fitStandardiser,
  predictProbabilities,
  standardise,
} from './logistic-regression.ts';

// numpy/scipy/scikit-learn numbers from test/golden/baseline/make_golden.py
const golden = JSON.parse(
  readFileSync(new URL('../../test/golden/baseline/golden.json', import.meta.url), 'utf8'),
) as {
  functionals: { matrix: number[][]; expected: { [f: string]: number[] } };
  logistic: {
    train: { x: number[][]; y: number[] };
    test: { x: number[][]; y: number[] };
    scaler: { mean: number[]; scale: number[] };
    cases: {
      C: number;
      classWeights: string;
      coef: number[][];
      intercept: number[];
      testProbs: number[][];
    }[];
  };
  svm: {
    cases: {
      C: number;
      classWeights: string;
      coef: number[][];
      intercept: number[];
      testDecision: number[][];
    }[];
  };
};

describe('functionals (vs numpy / scipy.stats)', () => {
  const { matrix, expected } = golden.functionals;
  const frames = matrix.length;
  const dims = matrix[0]!.length;
  const data = Float32Array.from(matrix.flat());
  const out = functionalsOf(data, frames, dims, FUNCTIONALS);
  let at = 0;
  for (const f of FUNCTIONALS) {
    it(f, () => {
      const want = expected[f]!;
      const got = Array.from(out.slice(at, at + want.length));
      at += want.length;
      got.forEach((v, i) => {
        expect(v).toBeCloseTo(want[i]!, 10);
      });
    });
  }
  it('keeps the order asked for', () => {
    const two = functionalsOf(data, frames, dims, ['logFrames', 'p50']);
    expect(two[0]).toBeCloseTo(Math.log(frames), 12);
    expect(Array.from(two.slice(1))).toEqual(Array.from(out.slice(6 * dims, 7 * dims)));
  });
});

describe('L2 multinomial logistic regression (vs scikit-learn lbfgs)', () => {
  const { train, test, scaler, cases } = golden.logistic;
  const s = fitStandardiser(train.x.map((r) => Float64Array.from(r)));
  const rows = train.x.map((r) => standardise(s, Float64Array.from(r)));
  const testRows = test.x.map((r) => standardise(s, Float64Array.from(r)));

  it('standardises like StandardScaler', () => {
    Array.from(s.mean).forEach((v, j) => {
      expect(v).toBeCloseTo(scaler.mean[j]!, 10);
    });
    Array.from(s.scale).forEach((v, j) => {
      expect(v).toBeCloseTo(scaler.scale[j]!, 10);
    });
  });

  for (const c of cases) {
    it(`C=${c.C}, class weights ${c.classWeights}`, () => {
      const counts = [0, 0, 0];
      for (const y of train.y) counts[y]! += 1;
      const weights =
        c.classWeights === 'balanced' ? train.y.map((y) => train.y.length / (3 * counts[y]!)) : undefined;
      const model = fitLogisticRegression(rows, train.y, 3, {
        C: c.C,
        ...(weights ? { sampleWeights: weights } : {}),
      });
      expect(model.converged).toBe(true);
      for (let k = 0; k < 3; k++)
        for (let j = 0; j < 5; j++) expect(model.weights[k * 5 + j]).toBeCloseTo(c.coef[k]![j]!, 4);
      const shift = model.intercepts.reduce((a, b) => a + b, 0) / 3;
      Array.from(model.intercepts).forEach((b, k) => {
        expect(b - shift).toBeCloseTo(c.intercept[k]!, 4);
      });
      testRows.forEach((x, i) => {
        const p = predictProbabilities(model, x);
        Array.from(p).forEach((v, k) => {
          expect(v).toBeCloseTo(c.testProbs[i]![k]!, 5);
        });
      });
    });
  }
});

describe('linear SVM (vs scikit-learn LinearSVC: liblinear, squared hinge, one-vs-rest)', () => {
  const { train, test } = golden.logistic;
  const s = fitStandardiser(train.x.map((r) => Float64Array.from(r)));
  const rows = train.x.map((r) => standardise(s, Float64Array.from(r)));
  const testRows = test.x.map((r) => standardise(s, Float64Array.from(r)));
  for (const c of golden.svm.cases) {
    it(`C=${c.C}, class weights ${c.classWeights}`, () => {
      const counts = [0, 0, 0];
      for (const y of train.y) counts[y]! += 1;
      const classWeights =
        c.classWeights === 'balanced' ? counts.map((n) => train.y.length / (3 * n)) : undefined;
      const model = fitLinearSvm(rows, train.y, 3, { C: c.C, ...(classWeights ? { classWeights } : {}) });
      expect(model.converged).toBe(true);
      for (let k = 0; k < 3; k++) {
        for (let j = 0; j < 5; j++) expect(model.weights[k * 5 + j]).toBeCloseTo(c.coef[k]![j]!, 5);
        expect(model.intercepts[k]).toBeCloseTo(c.intercept[k]!, 5);
      }
      testRows.forEach((x, i) => {
        Array.from(decisionValues(model, x)).forEach((v, k) => {
          expect(v).toBeCloseTo(c.testDecision[i]![k]!, 5);
        });
      });
    });
  }
});
