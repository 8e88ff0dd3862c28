import type { SparseP } from './affinities.ts';
import { QuadTree } from './quadtree.ts';

/**
 * Barnes-Hut t-SNE gradient (van der Maaten 2014): exact attraction over the sparse P, repulsion
 * approximated by the quadtree. Writes dC/dy into `grad` and returns Z = Σ_{i≠j} q_ij (unnormalised).
 */
export function bhGradient(
  p: SparseP,
  y: Float64Array,
  theta: number,
  exaggeration: number,
  grad: Float64Array,
): number {
  const n = p.n;
  const tree = new QuadTree(y, n);
  const rep = new Float64Array(2 * n);
  const f = new Float64Array(2);
  let z = 0;
  for (let i = 0; i < n; i++) {
    z += tree.repulsion(i, theta, f);
    rep[2 * i] = f[0]!;
    rep[2 * i + 1] = f[1]!;
  }
  for (let i = 0; i < n; i++) {
    let ax = 0;
    let ay = 0;
    const yx = y[2 * i]!;
    const yy = y[2 * i + 1]!;
    for (let e = p.rowStart[i]!; e < p.rowStart[i + 1]!; e++) {
      const j = p.cols[e]!;
      const dx = yx - y[2 * j]!;
      const dy = yy - y[2 * j + 1]!;
      const q = 1 / (1 + dx * dx + dy * dy);
      ax += p.vals[e]! * q * dx;
      ay += p.vals[e]! * q * dy;
    }
    grad[2 * i] = 4 * (exaggeration * ax - rep[2 * i]! / z);
    grad[2 * i + 1] = 4 * (exaggeration * ay - rep[2 * i + 1]! / z);
  }
  return z;
}

/** KL(P || Q) over the sparse P, given Z from the gradient pass. */
export function sparseKl(p: SparseP, y: Float64Array, z: number): number {
  let kl = 0;
  for (let i = 0; i < p.n; i++) {
    for (let e = p.rowStart[i]!; e < p.rowStart[i + 1]!; e++) {
      const j = p.cols[e]!;
      const pij = p.vals[e]!;
      if (pij <= 0) continue;
      const dx = y[2 * i]! - y[2 * j]!;
      const dy = y[2 * i + 1]! - y[2 * j + 1]!;
      const q = 1 / (1 + dx * dx + dy * dy) / z;
      kl += pij * Math.log(pij / Math.max(q, 1e-300));
    }
  }
  return kl;
}

/** Exact t-SNE gradient over a dense P (O(n²), small n); returns KL(P || Q). */
export function exactGradient(
  p: Float64Array,
  n: number,
  y: Float64Array,
  exaggeration: number,
  grad: Float64Array,
): number {
  const num = new Float64Array(n * n);
  let z = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = y[2 * i]! - y[2 * j]!;
      const dy = y[2 * i + 1]! - y[2 * j + 1]!;
      const q = 1 / (1 + dx * dx + dy * dy);
      num[i * n + j] = q;
      num[j * n + i] = q;
      z += 2 * q;
    }
  }
  let kl = 0;
  grad.fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const q = num[i * n + j]!;
      const pij = p[i * n + j]!;
      const mult = (exaggeration * pij - q / z) * q;
      grad[2 * i]! += 4 * mult * (y[2 * i]! - y[2 * j]!);
      grad[2 * i + 1]! += 4 * mult * (y[2 * i + 1]! - y[2 * j + 1]!);
      if (pij > 0) kl += pij * Math.log(pij / Math.max(q / z, 1e-300));
    }
  }
  return kl;
}
