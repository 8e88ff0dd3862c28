/** An objective for {@link minimiseLbfgs}: writes the gradient at `x` into `grad`, returns the value. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Stop when the largest gradient component is below this (default 1e-7). */
  gradientTolerance?: number;
  /** Default 1000. */
  maxIterations?: number;
  /** Correction pairs kept (default 10, as scipy's L-BFGS-B). */
  memory?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  converged: boolean;
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
};
const maxAbs = (a: Float64Array) => {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
};

/**
 * Unconstrained L-BFGS (two-loop recursion) with a backtracking Armijo line search, for smooth
 * convex objectives. Fully deterministic: same start and objective, same iterates. A correction
 * pair with non-positive curvature is skipped, so the implicit Hessian stays positive definite.
 */
export function minimiseLbfgs(
  objective: Objective,
  start: Float64Array,
  options: LbfgsOptions = {},
): LbfgsResult {
  const tol = options.gradientTolerance ?? 1e-7;
  const maxIterations = options.maxIterations ?? 1000;
  const memory = options.memory ?? 10;
  const n = start.length;
  let x = Float64Array.from(start);
  let grad = new Float64Array(n);
  let value = objective(x, grad);
  const ss: Float64Array[] = [];
  const ys: Float64Array[] = [];
  const rhos: number[] = [];
  const direction = new Float64Array(n);
  const alpha = new Array<number>(memory);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (maxAbs(grad) < tol) return { x, value, iterations: iteration, converged: true };
    // two-loop recursion: direction = -H·grad
    direction.set(grad);
    for (let j = ss.length - 1; j >= 0; j--) {
      const a = (rhos[j] as number) * dot(ss[j] as Float64Array, direction);
      alpha[j] = a;
      const y = ys[j] as Float64Array;
      for (let i = 0; i < n; i++) direction[i] = (direction[i] as number) - a * (y[i] as number);
    }
    const last = ss.length - 1;
    const gamma =
      last >= 0
        ? dot(ss[last] as Float64Array, ys[last] as Float64Array) /
          dot(ys[last] as Float64Array, ys[last] as Float64Array)
        : 1 / Math.max(1, Math.sqrt(dot(grad, grad)));
    for (let i = 0; i < n; i++) direction[i] = (direction[i] as number) * gamma;
    for (let j = 0; j < ss.length; j++) {
      const b = (rhos[j] as number) * dot(ys[j] as Float64Array, direction);
      const s = ss[j] as Float64Array;
      const a = alpha[j] as number;
      for (let i = 0; i < n; i++) direction[i] = (direction[i] as number) + (a - b) * (s[i] as number);
    }
    for (let i = 0; i < n; i++) direction[i] = -(direction[i] as number);
    let slope = dot(grad, direction);
    if (!(slope < 0)) {
      // not a descent direction (numerical trouble): restart from steepest descent
      ss.length = ys.length = rhos.length = 0;
      for (let i = 0; i < n; i++) direction[i] = -(grad[i] as number);
      slope = dot(grad, direction);
    }
    let step = 1;
    const next = new Float64Array(n);
    const nextGrad = new Float64Array(n);
    let nextValue = Number.POSITIVE_INFINITY;
    for (let tries = 0; tries < 60; tries++) {
      for (let i = 0; i < n; i++) next[i] = (x[i] as number) + step * (direction[i] as number);
      nextValue = objective(next, nextGrad);
      if (nextValue <= value + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(nextValue <= value)) return { x, value, iterations: iteration, converged: false };
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = (next[i] as number) - (x[i] as number);
      y[i] = (nextGrad[i] as number) - (grad[i] as number);
    }
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (ss.length === memory) {
        ss.shift();
        ys.shift();
        rhos.shift();
      }
      ss.push(s);
      ys.push(y);
      rhos.push(1 / sy);
    }
    const converged = value - nextValue <= 1e-15 * Math.max(1, Math.abs(value));
    x = next;
    grad = nextGrad;
    value = nextValue;
    if (converged && maxAbs(grad) < tol * 100)
      return { x, value, iterations: iteration + 1, converged: true };
  }
  return { x, value, iterations: maxIterations, converged: maxAbs(grad) < tol };
}
