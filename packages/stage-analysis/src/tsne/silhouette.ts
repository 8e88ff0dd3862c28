/**
 * Mean silhouette coefficient of labelled points (Euclidean), as scikit-learn computes it:
 * s(i) = (b - a) / max(a, b), 0 for members of singleton clusters. O(n²).
 */
export function silhouette(points: Float64Array, dims: number, labels: readonly string[]): number {
  const n = labels.length;
  const names = [...new Set(labels)];
  if (names.length < 2 || names.length >= n) return Number.NaN;
  const code = labels.map((l) => names.indexOf(l));
  const sizes = new Float64Array(names.length);
  for (const c of code) sizes[c]! += 1;
  const sums = new Float64Array(names.length);
  let total = 0;
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      let s = 0;
      for (let k = 0; k < dims; k++) {
        const t = points[i * dims + k]! - points[j * dims + k]!;
        s += t * t;
      }
      sums[code[j]!]! += Math.sqrt(s);
    }
    const own = code[i]!;
    if (sizes[own] === 1) continue;
    const a = sums[own]! / (sizes[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < names.length; c++) if (c !== own) b = Math.min(b, sums[c]! / sizes[c]!);
    total += (b - a) / Math.max(a, b);
  }
  return total / n;
}
