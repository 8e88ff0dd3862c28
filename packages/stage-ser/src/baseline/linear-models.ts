import { decisionSoftmax, fitLinearSvm } from './linear-svm.ts';
import { fitLogisticRegression, predictProbabilities } from './logistic-regression.ts';
import type { FittedClassifier, Labelled } from './select-c.ts';

/** The linear classifiers `ser:baseline` fits on utterance vectors. */
export type LinearModelName = 'logistic' | 'linear-svm';

/**
 * How to fit `model` at a given C on `train` (standardised vectors). Class weights (per class, in
 * class order) weight each row's loss for the logistic regression; for the SVM they weight the
 * positive side of each one-vs-rest problem, as scikit-learn's `LinearSVC(class_weight=…)` does.
 * An SVM's scores are the softmax of its decision values (argmax = its prediction; not calibrated).
 */
export function linearFitter(
  model: LinearModelName,
  train: readonly Labelled[],
  classes: number,
  classWeights: readonly number[] | null,
): (C: number) => FittedClassifier {
  const rows = train.map((e) => e.x);
  const labels = train.map((e) => e.label);
  if (model === 'linear-svm')
    return (C) => {
      const svm = fitLinearSvm(rows, labels, classes, { C, ...(classWeights ? { classWeights } : {}) });
      return { scores: (x) => decisionSoftmax(svm, x), iterations: svm.iterations, converged: svm.converged };
    };
  const sampleWeights = classWeights ? labels.map((y) => classWeights[y] as number) : undefined;
  return (C) => {
    const lr = fitLogisticRegression(rows, labels, classes, {
      C,
      ...(sampleWeights ? { sampleWeights } : {}),
    });
    return { scores: (x) => predictProbabilities(lr, x), iterations: lr.iterations, converged: lr.converged };
  };
}
