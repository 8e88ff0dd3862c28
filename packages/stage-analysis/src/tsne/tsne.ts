/**
 * t-SNE with Barnes-Hut gradients (O(n log n) per iteration after an O(n² d) neighbour search),
 * seedable. Optimisation as in bhtsne: random N(0, 1e-4) init, early exaggeration, momentum 0.5
 * → 0.8, per-coordinate gains; `method: 'exact'` uses the dense O(n²) gradient (small n, tests).
 */

import { createRng } from '../stats/rng.ts';
import { denseAffinities, type SparseP, sparseAffinities } from './affinities.ts';
import { bhGradient, exactGradient, sparseKl } from './gradient.ts';

export interface TsneOptions {
  perplexity?: number;
  iterations?: number;
  /** Barnes-Hut accuracy: 0 = exact repulsion over the tree, 0.5 default. */
  theta?: number;
  seed?: number;
  /** Default `auto`: max(n / earlyExaggeration, 50) (Belkina et al. 2019). */
  learningRate?: number | 'auto';
  earlyExaggeration?: number;
  exaggerationIterations?: number;
  method?: 'barnes-hut' | 'exact';
  /** KL is computed every `klEvery` iterations (and at the end). */
  klEvery?: number;
  onIteration?: (iteration: number) => void;
  signal?: AbortSignal;
}

export interface TsneResult {
  /** n × 2, row-major. */
  y: Float64Array;
  /** KL(P || Q) at the recorded iterations (with exaggeration removed from P). */
  kl: { iteration: number; value: number }[];
  perplexity: number;
}

export type Affinities = { kind: 'sparse'; p: SparseP } | { kind: 'dense'; p: Float64Array };

export function tsne(x: Float64Array, n: number, d: number, options: TsneOptions = {}): TsneResult {
  // perplexity must leave room for 3·perplexity neighbours
  const perplexity = Math.max(1, Math.min(options.perplexity ?? 30, (n - 1) / 3));
  const affinities: Affinities =
    options.method === 'exact'
      ? { kind: 'dense', p: denseAffinities(x, n, d, perplexity) }
      : { kind: 'sparse', p: sparseAffinities(x, n, d, perplexity) };
  return { ...optimise(affinities, n, options), perplexity };
}

/** Gradient descent on given affinities: Barnes-Hut for sparse P, exact for dense P. */
export function optimise(
  affinities: Affinities,
  n: number,
  options: TsneOptions = {},
): Omit<TsneResult, 'perplexity'> {
  const iterations = options.iterations ?? 1000;
  const theta = options.theta ?? 0.5;
  const exaggerationValue = options.earlyExaggeration ?? 12;
  const exaggerationIterations = Math.min(options.exaggerationIterations ?? 250, iterations);
  const eta =
    options.learningRate === undefined || options.learningRate === 'auto'
      ? Math.max(n / exaggerationValue, 50)
      : options.learningRate;
  const klEvery = options.klEvery ?? 50;
  const sparse = affinities.kind === 'sparse' ? affinities.p : null;
  const dense = affinities.kind === 'dense' ? affinities.p : null;
  const rng = createRng(options.seed ?? 0);
  const y = new Float64Array(2 * n);
  for (let k = 0; k < 2 * n; k++) y[k] = rng.normal() * 1e-4;
  const grad = new Float64Array(2 * n);
  const update = new Float64Array(2 * n);
  const gains = new Float64Array(2 * n).fill(1);
  const kl: TsneResult['kl'] = [];
  for (let it = 0; it < iterations; it++) {
    options.signal?.throwIfAborted();
    const exaggeration = it < exaggerationIterations ? exaggerationValue : 1;
    const momentum = it < exaggerationIterations ? 0.5 : 0.8;
    const record = (it + 1) % klEvery === 0 || it === iterations - 1;
    let value = 0;
    if (dense) {
      value = exactGradient(dense, n, y, exaggeration, grad);
    } else {
      const z = bhGradient(sparse!, y, theta, exaggeration, grad);
      if (record) value = sparseKl(sparse!, y, z);
    }
    for (let k = 0; k < 2 * n; k++) {
      gains[k] = Math.sign(grad[k]!) !== Math.sign(update[k]!) ? gains[k]! + 0.2 : gains[k]! * 0.8;
      if (gains[k]! < 0.01) gains[k] = 0.01;
      update[k] = momentum * update[k]! - eta * gains[k]! * grad[k]!;
      y[k]! += update[k]!;
    }
    let mx = 0;
    let my = 0;
    for (let i = 0; i < n; i++) {
      mx += y[2 * i]!;
      my += y[2 * i + 1]!;
    }
    for (let i = 0; i < n; i++) {
      y[2 * i]! -= mx / n;
      y[2 * i + 1]! -= my / n;
    }
    // KL with exaggeration is not the objective; only record it once exaggeration is off
    if (record && exaggeration === 1) kl.push({ iteration: it + 1, value });
    options.onIteration?.(it + 1);
  }
  return { y, kl };
}
