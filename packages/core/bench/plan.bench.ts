/**
 * Planning benchmark: `loadSpec` of a spec whose matrix expands to 1,000 variants
 * (seed × 100, lr × 10) of a train → evaluate chain sharing one upstream, gathered by a report.
 * Target ≤ 1 s. Run: `npx tsx packages/core/bench/plan.bench.ts`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadSpec } from '../src/graph/load-spec.ts';

const seeds = Array.from({ length: 100 }, (_, i) => i + 1);
const lrs = Array.from({ length: 10 }, (_, i) => Number(((i + 1) / 20).toFixed(2)));
const pluginPath = join(import.meta.dirname, '..', 'test', 'fixtures', 'plugin', 'index.ts');

const spec = `name: plan-bench
plugins: [${JSON.stringify(pluginPath)}]
heldOut: [tess]
matrix:
  seed: [${seeds.join(', ')}]
  lr: [${lrs.join(', ')}]
stages:
  emodb:
    uses: test:source
    params: { corpus: emodb }
  tess:
    uses: test:source
    params: { corpus: tess }
  scaled:
    uses: test:scale
    inputs: { numbers: emodb.numbers }
  train:
    uses: test:train
    seed: \${matrix.seed}
    params: { lr: "\${matrix.lr}", epochs: 3 }
    inputs: { data: [scaled.numbers] }
  eval:
    uses: test:evaluate
    inputs: { model: train.model, numbers: [tess.numbers, scaled.numbers] }
  report:
    uses: test:report
    inputs: { evaluations: ["eval.evaluation[*]"] }
`;

const dir = mkdtempSync(join(tmpdir(), 'serx-plan-bench-'));
const file = join(dir, 'bench.yaml');
writeFileSync(file, spec);
try {
  const times: number[] = [];
  let nodes = 0;
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const graph = await loadSpec(file);
    times.push(performance.now() - start);
    nodes = graph.nodes.size;
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  const first = times[0] as number;
  const ok = median <= 1000;
  console.log(
    `plan: 1,000-variant matrix (${nodes} nodes): first ${first.toFixed(0)} ms (incl. plugin import), median of 5 ${median.toFixed(0)} ms — target ≤ 1000 ms ${ok ? 'OK' : 'MISSED'}`,
  );
  if (!ok) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
