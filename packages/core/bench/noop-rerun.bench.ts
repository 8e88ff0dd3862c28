// Bench: no-op rerun of a 50-stage spec with everything cached, `serx run` as a child process
// (startup included). Target ≤ 1 s wall. Run: node --import tsx packages/core/bench/noop-rerun.bench.ts
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const STAGES = 50;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const bin = join(import.meta.dirname, '../bin/serx.mjs');
const plugin = join(import.meta.dirname, '../test/fixtures/run-plugin/stages.ts');

/** 25 sources and 25 sums, each sum reading two earlier stages: a 50-node DAG. */
function spec(): string {
  const lines = ['name: bench-noop', `plugins: ['${plugin}']`, 'stages:'];
  const half = STAGES / 2;
  for (let i = 0; i < half; i++)
    lines.push(`  s${i}:`, '    uses: test:source', `    params: { value: ${i} }`);
  for (let i = 0; i < half; i++) {
    const left = i === 0 ? 's0' : `t${i - 1}`;
    lines.push(
      `  t${i}:`,
      '    uses: test:sum',
      `    params: { add: ${i} }`,
      `    inputs: { values: [${left}.data, s${i}.data] }`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const dir = mkdtempSync(join(tmpdir(), 'serx-bench-'));
const file = join(dir, 'bench.yaml');
writeFileSync(file, spec());
/** CPU time (user + sys, ms) of this process's finished children, from /proc (Linux); 10 ms resolution. */
function childrenCpuMs(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

const serx = () => {
  const cpuBefore = childrenCpuMs();
  const started = performance.now();
  const result = spawnSync(process.execPath, [bin, 'run', file, '--cache', join(dir, 'cache')], {
    encoding: 'utf8',
  });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`serx run failed (${result.status}): ${result.stderr}`);
  return { ms, cpuMs: childrenCpuMs() - cpuBefore, last: result.stdout.trim().split('\n').at(-1) ?? '' };
};

const fill = serx();
console.error(`cold run: ${fill.ms.toFixed(0)} ms (${fill.last.replace(/; record.*/, '')})`);
const times: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const { ms, cpuMs, last } = serx();
  if (!/ 0 ran, 50 cached/.test(last)) throw new Error(`rerun was not a no-op: ${last}`);
  times.push(ms);
  cpu.push(cpuMs);
}
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const load = loadavg()[0]?.toFixed(1);
const result = {
  bench: 'noop-rerun',
  stages: STAGES,
  runs: RUNS,
  medianMs: Math.round(median(times)),
  minMs: Math.round(Math.min(...times)),
  maxMs: Math.round(Math.max(...times)),
  medianCpuMs: Math.round(median(cpu)),
  loadAverage: Number(load),
  cores: availableParallelism(),
  targetMs: 1000,
};
console.log(JSON.stringify(result));
console.error(
  `no-op rerun of ${STAGES} stages: wall median ${result.medianMs} ms (min ${result.minMs}, max ${result.maxMs}), CPU median ${result.medianCpuMs} ms; ` +
    `load average ${load} on ${result.cores} cores; target ≤ 1000 ms wall: ${result.medianMs <= 1000 ? 'met' : 'MISSED'}`,
);
