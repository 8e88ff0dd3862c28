// Child-process entry used by scripts/setup.mjs and bench/backend.bench.ts:
//   node --import @serx/core/typescript/import verify-cli.ts [--backend tensorflow|wasm|cpu] [--size small|paper] [--steps N] [--warmup N]
// Prints one JSON line: backend, versions, threads, losses, steps/s. Exit 1 when training fails.
import { parseArgs } from 'node:util';
import { loadTensorflow } from './load.ts';
import { PROBE_SIZES, type ProbeSize, trainProbe } from './probe-model.ts';
import type { BackendName } from './types.ts';

const { values } = parseArgs({
  options: {
    backend: { type: 'string' },
    size: { type: 'string', default: 'small' },
    steps: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    threads: { type: 'string' },
  },
});
const size = values.size as ProbeSize;
if (!(size in PROBE_SIZES)) throw new Error(`--size must be one of ${Object.keys(PROBE_SIZES).join(', ')}`);

const { tf, ...info } = await loadTensorflow({
  backend: values.backend as BackendName | undefined,
  allowCpu: true,
  threads: values.threads === undefined ? undefined : Number(values.threads),
});
const result = await trainProbe(tf, { size, steps: Number(values.steps), warmup: Number(values.warmup) });
if (!result.losses.every(Number.isFinite)) {
  console.error(`training produced non-finite losses: ${result.losses.join(', ')}`);
  process.exitCode = 1;
}
console.log(JSON.stringify({ ...info, size, ...result }));
