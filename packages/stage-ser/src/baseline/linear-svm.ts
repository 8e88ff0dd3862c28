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
  /** Stop when the gradient's norm is this fraction of its norm at zero (default 1e-10). */
  gradientTolerance?: number;
  /** Newton iterations per one-vs-rest problem (default 100). */
  maxIterations?: number;
}

/**
 * scikit-learn's `LinearSVC` (liblinear: squared hinge loss, L2 penalty, one-vs-rest, the intercept
 * a feature of value 1 and penalised like the weights). For class k it minimises
 * `½‖w‖² + Σᵢ Cᵢ·max(0, 1 − yᵢ·(w·xᵢ + b))²` with `yᵢ = ±1`, `Cᵢ = C·weight_k` for class k's rows
 * and `C` for the others (liblinear weights only the positive side of each one-vs-rest problem).
 * Solved in the primal as liblinear's own primal solver does: Newton steps on the generalised
 * Hessian `I + 2·Σ_{margin violated} Cᵢ·xᵢxᵢᵀ`, each solved by conjugate gradients, with a
 * backtracking line search. The objective is strictly convex and piecewise quadratic, so the
 * iteration ends at its unique optimum (liblinear's) within a few dozen steps.
 */
export function fitLinearSvm(
  rows: readonly Float64Array[],
  labels: ArrayLike<number>,
  classes: number,
  options: LinearSvmOptions,
): LinearSvmModel {
  const d = rows[0]?.length ?? 0;
  const weights = new Float64Array(classes * d);
  const intercepts = new Float64Array(classes);
  let iterations = 0;
  let converged = true;
  for (let k = 0; k < classes; k++) {
    const positive = options.C * ((options.classWeights?.[k] as number | undefined) ?? 1);
    const y = Array.from(rows, (_, i) => (labels[i] === k ? 1 : -1));
    const c = y.map((v) => (v === 1 ? positive : options.C));
    const fit = newtonSquaredHinge(rows, y, c, options);
    weights.set(fit.w.subarray(0, d), k * d);
    intercepts[k] = fit.w[d] as number;
    iterations = Math.max(iterations, fit.iterations);
    converged &&= fit.converged;
  }
  return { classes, dims: d, weights, intercepts, iterations, converged };
}

/** One binary problem over rows extended by a constant 1 (the intercept): w has d + 1 entries. */
function newtonSquaredHinge(
  rows: readonly Float64Array[],
  y: readonly number[],
  c: readonly number[],
  options: LinearSvmOptions,
): { w: Float64Array; iterations: number; converged: boolean } {
  const n = rows.length;
  const d = (rows[0]?.length ?? 0) + 1;
  const dotRow = (i: number, v: Float64Array) => {
    const x = rows[i] as Float64Array;
    let z = v[d - 1] as number;
    for (let j = 0; j < d - 1; j++) z += (x[j] as number) * (v[j] as number);
    return z;
  };
  const addRow = (i: number, scale: number, out: Float64Array) => {
    const x = rows[i] as Float64Array;
    for (let j = 0; j < d - 1; j++) out[j] = (out[j] as number) + scale * (x[j] as number);
    out[d - 1] = (out[d - 1] as number) + scale;
  };
  const objective = (w: Float64Array) => {
    let f = 0;
    for (let j = 0; j < d; j++) f += 0.5 * (w[j] as number) ** 2;
    for (let i = 0; i < n; i++) {
      const margin = 1 - (y[i] as number) * dotRow(i, w);
      if (margin > 0) f += (c[i] as number) * margin * margin;
    }
    return f;
  };
  const tol = options.gradientTolerance ?? 1e-10;
  const maxIterations = options.maxIterations ?? 100;
  let w = new Float64Array(d);
  let g0 = 0;
  const active: number[] = [];
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    // gradient w + Σ_active 2·Cᵢ·(yᵢzᵢ − 1)·yᵢ·xᵢ, and the active set of the generalised Hessian
    const g = Float64Array.from(w);
    active.length = 0;
    for (let i = 0; i < n; i++) {
      const yz = (y[i] as number) * dotRow(i, w);
      if (yz < 1) {
        active.push(i);
        addRow(i, 2 * (c[i] as number) * (yz - 1) * (y[i] as number), g);
      }
    }
    const gnorm = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
    if (iteration === 0) g0 = Math.max(gnorm, Number.MIN_VALUE);
    if (gnorm <= tol * g0) return { w, iterations: iteration, converged: true };
    const hessian = (v: Float64Array, out: Float64Array) => {
      out.set(v);
      for (const i of active) addRow(i, 2 * (c[i] as number) * dotRow(i, v), out);
    };
    // Inexact Newton: the CG tolerance tightens as the gradient shrinks (superlinear convergence).
    const p = conjugateGradient(hessian, g, Math.min(0.1, Math.sqrt(gnorm / g0)), 4 * d);
    let slope = 0;
    for (let j = 0; j < d; j++) slope += (g[j] as number) * (p[j] as number);
    const f = objective(w);
    let step = 1;
    let next = w;
    let fNext = f;
    for (let tries = 0; tries < 60; tries++) {
      next = w.map((v, j) => v + step * (p[j] as number));
      fNext = objective(next);
      if (fNext <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    // No measurable decrease left: the optimum to rounding (a row exactly at margin 1 can hold the
    // gradient a little above `tol`); converged if the gradient is small by any sensible measure.
    if (!(fNext < f - 1e-15 * Math.abs(f)))
      return { w: fNext <= f ? next : w, iterations: iteration + 1, converged: gnorm <= 1e-6 * g0 };
    w = next;
  }
  return { w, iterations: maxIterations, converged: false };
}

/** Solves H·p = −g by conjugate gradients to ‖residual‖ ≤ relTol·‖g‖ (H symmetric positive definite). */
function conjugateGradient(
  hessian: (v: Float64Array, out: Float64Array) => void,
  g: Float64Array,
  relTol: number,
  maxSteps: number,
): Float64Array {
  const d = g.length;
  const p = new Float64Array(d);
  const r = g.map((v) => -v);
  const s = Float64Array.from(r);
  const hs = new Float64Array(d);
  let rr = r.reduce((a, v) => a + v * v, 0);
  const stop = relTol * relTol * rr;
  for (let step = 0; step < maxSteps && rr > stop; step++) {
    hessian(s, hs);
    let shs = 0;
    for (let j = 0; j < d; j++) shs += (s[j] as number) * (hs[j] as number);
    const alpha = rr / shs;
    for (let j = 0; j < d; j++) {
      p[j] = (p[j] as number) + alpha * (s[j] as number);
      r[j] = (r[j] as number) - alpha * (hs[j] as number);
    }
    const rrNext = r.reduce((a, v) => a + v * v, 0);
    const beta = rrNext / rr;
    rr = rrNext;
    for (let j = 0; j < d; j++) s[j] = (r[j] as number) + beta * (s[j] as number);
  }
  return p;
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
