#!/usr/bin/env node
// Builds serx's TensorFlow kernels (serx-kernels.c → build/serx-kernels.node) with the system C
// compiler against the running Node's headers and the TensorFlow C headers and
// libtensorflow_framework that tfjs-node links (its deps/ folder): no node-gyp, no download.
// Idempotent: rebuilds only when the source, the flags, the CPU's vector extensions, the Node ABI
// or libtensorflow changed (build/stamp.json). Exits 0 with a notice when it cannot build (no
// compiler, no native backend): the models then use TensorFlow's own LSTM kernels.
//
//   node packages/tf-backend/native/build.mjs [--force] [--quiet]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tfjsNodeDir } from '../provision/paths.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'serx-kernels.c');
const buildDir = join(here, 'build');
const target = join(buildDir, 'serx-kernels.node');
const stampPath = join(buildDir, 'stamp.json');
const args = new Set(process.argv.slice(2));
const say = (message) => args.has('--quiet') || console.log(`[serx setup] serx kernels: ${message}`);

const headers = join(dirname(dirname(process.execPath)), 'include', 'node');
const tfjsNode = tfjsNodeDir();
const deps = tfjsNode ? join(tfjsNode, 'deps') : undefined;
const framework = deps ? join(deps, 'lib', 'libtensorflow_framework.so.2') : undefined;
const cc = ['cc', 'gcc', 'clang'].find((c) => spawnSync(c, ['--version']).status === 0);
const missing = !cc
  ? 'no C compiler'
  : !existsSync(join(headers, 'node_api.h'))
    ? `no Node headers in ${headers}`
    : !framework ||
        !existsSync(framework) ||
        !existsSync(join(deps, 'include', 'tensorflow', 'c', 'kernels.h'))
      ? 'no libtensorflow with C headers in tfjs-node/deps (native backend not provisioned)'
      : undefined;
if (missing) {
  say(`skipped (${missing}); the models use TensorFlow's own LSTM kernels`);
  process.exit(0);
}
// This CPU's vector width (the kernels are built where they run, like the MFCC kernel).
const cpu = safeRead('/proc/cpuinfo');
const isa =
  process.arch !== 'x64'
    ? []
    : /\bavx512f\b/.test(cpu)
      ? ['-mavx512f', '-mavx2', '-mfma']
      : /\bavx2\b/.test(cpu) && /\bfma\b/.test(cpu)
        ? ['-mavx2', '-mfma']
        : [];
const flags = ['-O3', '-std=gnu11', '-fPIC', '-shared', '-fno-fast-math', '-D_GNU_SOURCE', ...isa];
const libStat = statSync(framework);
const stamp = createHash('sha256')
  .update(readFileSync(source))
  .update(
    JSON.stringify({
      cc,
      flags,
      abi: process.versions.modules,
      napi: process.versions.napi,
      lib: [libStat.size, libStat.mtimeMs],
    }),
  )
  .digest('hex');
if (!args.has('--force') && existsSync(target) && safeRead(stampPath).includes(stamp)) {
  say('up to date');
  process.exit(0);
}
mkdirSync(buildDir, { recursive: true });
const partial = `${target}.${process.pid}.tmp`;
const result = spawnSync(
  cc,
  [
    ...flags,
    `-I${headers}`,
    `-I${join(deps, 'include')}`,
    source,
    '-o',
    partial,
    `-L${join(deps, 'lib')}`,
    '-l:libtensorflow_framework.so.2',
    `-Wl,-rpath,${join(deps, 'lib')}`,
    '-lpthread',
    '-lm',
  ],
  { encoding: 'utf8' },
);
if (result.status !== 0) {
  console.error(
    `[serx setup] serx kernels: ${cc} failed; the models use TensorFlow's own LSTM kernels\n${result.stderr}`,
  );
  process.exit(0);
}
renameSync(partial, target);
writeFileSync(stampPath, JSON.stringify({ stamp, cc, flags }, null, 2));
say(`built ${target} (${cc}${isa.length ? `, ${isa[0].slice(2)}` : ''})`);

function safeRead(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
