import { minimiseLbfgs } from './lbfgs.ts';

/** A fitted multinomial logistic regression: `weights` is classes × dims row-major. */
export interface LogisticModel {
  classes: number;
  dims: number;
  weights: Float64Array;
  intercepts: Float64Array;
  iterations: number;
  converged: boolean;
}

export interface LogisticOptions {
  /** Inverse L2 strength, as scikit-learn's `C` (intercepts are not penalised). */
  C: number;
  /** Per-example loss weights (class weights); default 1 each. */
  sampleWeights?: ArrayLike<number>;
  gradientTolerance?: number;
  maxIterations?: number;
}

/**
 * Multinomial (softmax) logistic regression with an L2 penalty, fitted by L-BFGS from zero.
 * Minimises `Σ wᵢ·CEᵢ / Σ wᵢ + ‖W‖² / (2·C·Σ wᵢ)`, which has scikit-learn's
 * `LogisticRegression(C=C)` minimiser (`C·Σ wᵢ·CEᵢ + ½‖W‖²`) scaled to a mean so the
 * gradient tolerance does not depend on the number of examples.
 */
export function fitLogisticRegression(
  rows: readonly Float64Array[],
  labels: ArrayLike<number>,
  classes: number,
  options: LogisticOptions,
): LogisticModel {
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  const sw = options.sampleWeights ?? new Array<number>(n).fill(1);
  let total = 0;
  for (let i = 0; i < n; i++) total += sw[i] as number;
  const penalty = 1 / (options.C * total);
  const logits = new Float64Array(classes);
  const objective = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const x = rows[i] as Float64Array;
      softmaxLogits(theta, x, classes, d, logits);
      const y = labels[i] as number;
      const w = (sw[i] as number) / total;
      loss -= w * Math.log(Math.max(logits[y] as number, 1e-300));
      for (let k = 0; k < classes; k++) {
        const r = w * ((logits[k] as number) - (k === y ? 1 : 0));
        const base = k * d;
        for (let j = 0; j < d; j++) grad[base + j] = (grad[base + j] as number) + r * (x[j] as number);
        grad[classes * d + k] = (grad[classes * d + k] as number) + r;
      }
    }
    let sq = 0;
    for (let j = 0; j < classes * d; j++) {
      const v = theta[j] as number;
      sq += v * v;
      grad[j] = (grad[j] as number) + penalty * v;
    }
    return loss + 0.5 * penalty * sq;
  };
  const result = minimiseLbfgs(objective, new Float64Array(classes * (d + 1)), {
    gradientTolerance: options.gradientTolerance ?? 1e-8,
    maxIterations: options.maxIterations ?? 2000,
  });
  return {
    classes,
    dims: d,
    weights: result.x.slice(0, classes * d),
    intercepts: result.x.slice(classes * d),
    iterations: result.iterations,
    converged: result.converged,
  };
}

/** Class probabilities of one example. */
export function predictProbabilities(model: LogisticModel, x: Float64Array): Float64Array {
  const theta = new Float64Array(model.classes * (model.dims + 1));
  theta.set(model.weights);
  theta.set(model.intercepts, model.classes * model.dims);
  const out = new Float64Array(model.classes);
  softmaxLogits(theta, x, model.classes, model.dims, out);
  return out;
}

/** Softmax of W·x + b into `out` (θ = [W row-major, b]), stabilised by the largest logit. */
function softmaxLogits(
  theta: Float64Array,
  x: Float64Array,
  classes: number,
  d: number,
  out: Float64Array,
): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < classes; k++) {
    let z = theta[classes * d + k] as number;
    const base = k * d;
    for (let j = 0; j < d; j++) z += (theta[base + j] as number) * (x[j] as number);
    out[k] = z;
    if (z > max) max = z;
  }
  let sum = 0;
  for (let k = 0; k < classes; k++) {
    const e = Math.exp((out[k] as number) - max);
    out[k] = e;
    sum += e;
  }
  for (let k = 0; k < classes; k++) out[k] = (out[k] as number) / sum;
}

/** Per-column mean and population standard deviation of the training rows (scikit-learn's StandardScaler). */
export interface Standardiser {
  mean: Float64Array;
  /** 1 for a constant column ({@link CONSTANT_SPREAD}), so it maps to ~0 instead of to amplified noise. */
  scale: Float64Array;
}

/** Relative spread below which a column counts as constant (float32 resolution is ~6e-8). */
export const CONSTANT_SPREAD = 1e-6;

export function fitStandardiser(rows: readonly Float64Array[]): Standardiser {
  const d = rows[0]?.length ?? 0;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (r[j] as number);
  for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) / rows.length;
  for (const r of rows)
    for (let j = 0; j < d; j++)
      scale[j] = (scale[j] as number) + ((r[j] as number) - (mean[j] as number)) ** 2;
  for (let j = 0; j < d; j++) {
    const sd = Math.sqrt((scale[j] as number) / rows.length);
    // Features are float32: a spread this small is rounding (e.g. the per-utterance mean of
    // z-normalised MFCCs), and scaling it up to unit variance would hand the model pure noise.
    scale[j] = sd > CONSTANT_SPREAD * Math.max(1, Math.abs(mean[j] as number)) ? sd : 1;
  }
  return { mean, scale };
}

export function standardise(s: Standardiser, x: Float64Array): Float64Array {
  return x.map((v, j) => (v - (s.mean[j] as number)) / (s.scale[j] as number));
}
