import { minimiseLbfgs } from './lbfgs.ts';

/** A fitted one-vs-rest linear SVM: `weights` is classes × dims row-major. */
export interface LinearSvmModel {
  classes: number;
  dims: number;
  weights: Float64Array;
  intercepts: Float64Array;
  iterations: number;
  converged: boolean;
}

export interface LinearSvmOptions {
  /** Inverse L2 strength, as scikit-learn's `LinearSVC(C=…)`. */
  C: number;
  /** Per-class weights (class weights), in class order; default 1 each. */
  classWeights?: ArrayLike<number>;
  gradientTolerance?: number;
  maxIterations?: number;
}

/**
 * scikit-learn's `LinearSVC` (liblinear: squared hinge loss, L2 penalty, one-vs-rest, the intercept
 * a feature of value 1 and penalised like the weights), solved in the primal by L-BFGS. For class
 * k it minimises `½‖w‖² + Σᵢ Cᵢ·max(0, 1 − yᵢ·(w·xᵢ + b))²` with `yᵢ = ±1`, `Cᵢ = C·weight_k` for
 * class k's rows and `C` for the others (liblinear weights only the positive side of each
 * one-vs-rest problem). The objective is strictly convex, so the optimum is liblinear's.
 */
export function fitLinearSvm(
  rows: readonly Float64Array[],
  labels: ArrayLike<number>,
  classes: number,
  options: LinearSvmOptions,
): LinearSvmModel {
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  const weights = new Float64Array(classes * d);
  const intercepts = new Float64Array(classes);
  let iterations = 0;
  let converged = true;
  for (let k = 0; k < classes; k++) {
    const positive = options.C * ((options.classWeights?.[k] as number | undefined) ?? 1);
    // Scaled by 1/(C·n) so the gradient tolerance does not depend on C or on the number of rows.
    const scale = 1 / (options.C * Math.max(n, 1));
    const objective = (theta: Float64Array, grad: Float64Array): number => {
      grad.fill(0);
      let loss = 0;
      for (let i = 0; i < n; i++) {
        const x = rows[i] as Float64Array;
        const y = labels[i] === k ? 1 : -1;
        let z = theta[d] as number;
        for (let j = 0; j < d; j++) z += (theta[j] as number) * (x[j] as number);
        const margin = 1 - y * z;
        if (margin <= 0) continue;
        const c = (y === 1 ? positive : options.C) * scale;
        loss += c * margin * margin;
        const r = -2 * c * margin * y;
        for (let j = 0; j < d; j++) grad[j] = (grad[j] as number) + r * (x[j] as number);
        grad[d] = (grad[d] as number) + r;
      }
      let sq = 0;
      for (let j = 0; j <= d; j++) {
        const v = theta[j] as number;
        sq += v * v;
        grad[j] = (grad[j] as number) + scale * v;
      }
      return loss + 0.5 * scale * sq;
    };
    const result = minimiseLbfgs(objective, new Float64Array(d + 1), {
      gradientTolerance: options.gradientTolerance ?? 1e-10,
      maxIterations: options.maxIterations ?? 5000,
    });
    weights.set(result.x.subarray(0, d), k * d);
    intercepts[k] = result.x[d] as number;
    iterations = Math.max(iterations, result.iterations);
    converged &&= result.converged;
  }
  return { classes, dims: d, weights, intercepts, iterations, converged };
}

/** The one-vs-rest decision values `w_k·x + b_k` of one example. */
export function decisionValues(model: LinearSvmModel, x: Float64Array): Float64Array {
  const out = new Float64Array(model.classes);
  for (let k = 0; k < model.classes; k++) {
    let z = model.intercepts[k] as number;
    const base = k * model.dims;
    for (let j = 0; j < model.dims; j++) z += (model.weights[base + j] as number) * (x[j] as number);
    out[k] = z;
  }
  return out;
}

/**
 * Softmax of the decision values: what `ser:baseline` writes as an SVM's `probs` (its argmax is the
 * SVM's prediction; the values are scores, not calibrated probabilities).
 */
export function decisionSoftmax(model: LinearSvmModel, x: Float64Array): Float64Array {
  const z = decisionValues(model, x);
  let max = Number.NEGATIVE_INFINITY;
  for (const v of z) max = Math.max(max, v);
  let sum = 0;
  for (let k = 0; k < z.length; k++) {
    z[k] = Math.exp((z[k] as number) - max);
    sum += z[k] as number;
  }
  for (let k = 0; k < z.length; k++) z[k] = (z[k] as number) / sum;
  return z;
}
