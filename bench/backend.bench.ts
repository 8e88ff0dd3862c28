// Training steps/s of the Conv2D+LSTM probe models on native TensorFlow vs the wasm fallback vs the
// pure-JS cpu backend, each backend in its own child process (tfjs backends are process-global).
// The paper-sized model on cpu takes minutes per step: included only with SERX_BENCH_CPU_PAPER=1.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const typescript = join(root, 'packages', 'core', 'src', 'loader', 'import.mjs');
const verifyCli = join(root, 'packages', 'tf-backend', 'src', 'verify-cli.ts');

interface Run {
  backend: string;
  size: 'small' | 'paper';
  steps: number;
  warmup: number;
}
const runs: Run[] = [
  { backend: 'tensorflow', size: 'small', steps: 30, warmup: 3 },
  { backend: 'wasm', size: 'small', steps: 30, warmup: 3 },
  { backend: 'cpu', size: 'small', steps: 10, warmup: 2 },
  { backend: 'tensorflow', size: 'paper', steps: 5, warmup: 1 },
  { backend: 'wasm', size: 'paper', steps: 3, warmup: 1 },
  ...(process.env.SERX_BENCH_CPU_PAPER === '1'
    ? [{ backend: 'cpu', size: 'paper', steps: 1, warmup: 0 } as Run]
    : []),
];

const rows: string[][] = [];
for (const run of runs) {
  const args = ['--import', typescript, verifyCli, '--backend', run.backend, '--size', run.size];
  args.push('--steps', String(run.steps), '--warmup', String(run.warmup));
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const line = (result.stdout ?? '').trim().split('\n').pop() ?? '';
  if (result.status !== 0 || !line.startsWith('{')) {
    rows.push([run.size, run.backend, 'FAILED', '', (result.stderr ?? '').trim().split('\n').pop() ?? '']);
    continue;
  }
  const report = JSON.parse(line) as { stepsPerSec: number; threads: number; libtensorflowVersion?: string };
  const lib = report.libtensorflowVersion ? `libtensorflow ${report.libtensorflowVersion}` : '';
  rows.push([run.size, run.backend, report.stepsPerSec.toFixed(2), String(report.threads), lib]);
  console.log(`${run.size} ${run.backend}: ${report.stepsPerSec.toFixed(2)} steps/s`);
}

const header = ['model', 'backend', 'steps/s', 'threads', 'notes'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const format = (r: string[]) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
console.log(`\n${format(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
for (const row of rows) console.log(format(row));
console.log(
  'small: batch 16 of 20x16, conv 8 + lstm 16; paper: batch 32 of 100x40 MFCC, conv 32/64 + lstm 64',
);
if (rows.some((r) => r[2] === 'FAILED')) process.exitCode = 1;
