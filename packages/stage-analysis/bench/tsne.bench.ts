/** Barnes-Hut vs exact t-SNE time per size: `npm run bench -- tsne [n...]` (not part of the test suite). */
import { createRng } from '../src/stats/rng.ts';
import { silhouette } from '../src/tsne/silhouette.ts';
import { tsne } from '../src/tsne/tsne.ts';

const sizes = process.argv.slice(2).map(Number);
for (const n of sizes.length > 0 ? sizes : [500, 2000, 4000]) {
  const d = 64;
  const rng = createRng(1);
  const x = new Float64Array(n * d);
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    labels.push(String(i % 3));
    for (let j = 0; j < d; j++) x[i * d + j] = (j === i % 3 ? 3 : 0) + rng.normal();
  }
  for (const method of n <= 1000 ? (['barnes-hut', 'exact'] as const) : (['barnes-hut'] as const)) {
    const t0 = performance.now();
    const r = tsne(x, n, d, { perplexity: 30, iterations: 1000, seed: 1, method });
    const ms = performance.now() - t0;
    console.log(
      `n=${n} d=${d} ${method}: ${(ms / 1000).toFixed(1)} s, final KL ${r.kl.at(-1)?.value.toFixed(3)}, silhouette ${silhouette(r.y, 2, labels).toFixed(3)}`,
    );
  }
}
