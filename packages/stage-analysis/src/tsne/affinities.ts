/**
 * Input similarities of t-SNE: per-point Gaussian bandwidths found by binary search so that each
 * conditional distribution has the requested perplexity, then symmetrised, P_ij = (p_j|i + p_i|j) / 2n.
 */

/** Sparse symmetric matrix in CSR form. */
export interface SparseP {
  n: number;
  rowStart: Uint32Array;
  cols: Uint32Array;
  vals: Float64Array;
}

/** Squared Euclidean distance between rows i and j of a row-major n × d matrix. */
export function sqDist(x: Float64Array, d: number, i: number, j: number): number {
  let s = 0;
  const a = i * d;
  const b = j * d;
  for (let k = 0; k < d; k++) {
    const t = x[a + k]! - x[b + k]!;
    s += t * t;
  }
  return s;
}

/** Fills `out` with p_j|i over `dist2` (squared distances to the candidates) at the given perplexity. */
export function conditionalRow(
  dist2: Float64Array,
  count: number,
  perplexity: number,
  out: Float64Array,
): void {
  const target = Math.log(perplexity);
  let beta = 1;
  let lo = -Infinity;
  let hi = Infinity;
  for (let iter = 0; iter < 200; iter++) {
    let sum = 0;
    let weighted = 0;
    for (let m = 0; m < count; m++) {
      const v = Math.exp(-beta * dist2[m]!);
      out[m] = v;
      sum += v;
      weighted += beta * dist2[m]! * v;
    }
    if (sum === 0) sum = Number.MIN_VALUE;
    const entropy = Math.log(sum) + weighted / sum;
    for (let m = 0; m < count; m++) out[m] = out[m]! / sum;
    const diff = entropy - target;
    if (Math.abs(diff) < 1e-5) break;
    if (diff > 0) {
      lo = beta;
      beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
    } else {
      hi = beta;
      beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
    }
  }
}

/**
 * Indices of the k nearest neighbours of every point: exact, O(n² d) distance work with a bounded
 * max-heap per point (a few seconds at n ≈ 10⁴, d ≈ 100; the t-SNE iterations dominate).
 */
export function nearestNeighbours(
  x: Float64Array,
  n: number,
  d: number,
  k: number,
): { index: Uint32Array; dist2: Float64Array } {
  const index = new Uint32Array(n * k);
  const dist2 = new Float64Array(n * k);
  const heapD = new Float64Array(k);
  const heapI = new Uint32Array(k);
  for (let i = 0; i < n; i++) {
    let size = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const v = sqDist(x, d, i, j);
      if (size < k) {
        let c = size++;
        while (c > 0) {
          const parent = (c - 1) >> 1;
          if (heapD[parent]! >= v) break;
          heapD[c] = heapD[parent]!;
          heapI[c] = heapI[parent]!;
          c = parent;
        }
        heapD[c] = v;
        heapI[c] = j;
      } else if (v < heapD[0]!) {
        let c = 0;
        for (;;) {
          const l = 2 * c + 1;
          if (l >= k) break;
          const r = l + 1;
          const big = r < k && heapD[r]! > heapD[l]! ? r : l;
          if (heapD[big]! <= v) break;
          heapD[c] = heapD[big]!;
          heapI[c] = heapI[big]!;
          c = big;
        }
        heapD[c] = v;
        heapI[c] = j;
      }
    }
    const order = Array.from({ length: size }, (_, m) => m).sort(
      (a, b) => heapD[a]! - heapD[b]! || heapI[a]! - heapI[b]!,
    );
    order.forEach((m, rank) => {
      index[i * k + rank] = heapI[m]!;
      dist2[i * k + rank] = heapD[m]!;
    });
  }
  return { index, dist2 };
}

/** Sparse P from the k = min(n - 1, ⌊3·perplexity⌋) nearest neighbours (Barnes-Hut t-SNE). */
export function sparseAffinities(x: Float64Array, n: number, d: number, perplexity: number): SparseP {
  const k = Math.min(n - 1, Math.floor(3 * perplexity));
  const { index, dist2 } = nearestNeighbours(x, n, d, k);
  const cond = new Float64Array(n * k);
  for (let i = 0; i < n; i++)
    conditionalRow(dist2.subarray(i * k, (i + 1) * k), k, perplexity, cond.subarray(i * k, (i + 1) * k));
  // transpose by counting sort: incoming[i] lists every m (edge index) with index[m] = i
  const inStart = new Uint32Array(n + 1);
  for (let m = 0; m < n * k; m++) inStart[index[m]! + 1]!++;
  for (let i = 0; i < n; i++) inStart[i + 1]! += inStart[i]!;
  const fill = inStart.slice(0, n);
  const incoming = new Uint32Array(n * k);
  for (let m = 0; m < n * k; m++) incoming[fill[index[m]!]!++] = m;
  const rowStart = new Uint32Array(n + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  const acc = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    acc.clear();
    for (let m = i * k; m < (i + 1) * k; m++) acc.set(index[m]!, (acc.get(index[m]!) ?? 0) + cond[m]!);
    for (let t = inStart[i]!; t < inStart[i + 1]!; t++) {
      const m = incoming[t]!;
      const j = Math.floor(m / k);
      acc.set(j, (acc.get(j) ?? 0) + cond[m]!);
    }
    for (const j of [...acc.keys()].sort((a, b) => a - b)) {
      cols.push(j);
      vals.push(acc.get(j)! / (2 * n));
    }
    rowStart[i + 1] = cols.length;
  }
  return { n, rowStart, cols: Uint32Array.from(cols), vals: Float64Array.from(vals) };
}

/** Dense P over all pairs (exact t-SNE, small n only). Row-major n × n. */
export function denseAffinities(x: Float64Array, n: number, d: number, perplexity: number): Float64Array {
  const p = new Float64Array(n * n);
  const dist2 = new Float64Array(n - 1);
  const row = new Float64Array(n - 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0, m = 0; j < n; j++) if (j !== i) dist2[m++] = sqDist(x, d, i, j);
    conditionalRow(dist2, n - 1, perplexity, row);
    for (let j = 0, m = 0; j < n; j++) if (j !== i) p[i * n + j] = row[m++]!;
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = (p[i * n + j]! + p[j * n + i]!) / (2 * n);
      p[i * n + j] = v;
      p[j * n + i] = v;
    }
  }
  return p;
}
