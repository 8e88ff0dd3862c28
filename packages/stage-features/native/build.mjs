#!/usr/bin/env node
// Builds the MFCC kernel addon (mfcc-kernel.c → build/mfcc-kernel.node) with the system C compiler
// against the running Node's own headers: no node-gyp, no download. Idempotent: rebuilds only when
// the source, the compiler flags or the Node ABI changed (build/stamp.json). Exit 0 with a notice
// when no compiler is found (features:mfcc then uses its JavaScript pipeline, same numbers).
//
//   node packages/stage-features/native/build.mjs [--force] [--quiet]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'mfcc-kernel.c');
const buildDir = join(here, 'build');
const target = join(buildDir, 'mfcc-kernel.node');
const stampPath = join(buildDir, 'stamp.json');
const args = new Set(process.argv.slice(2));
const say = (message) => args.has('--quiet') || console.log(`[serx setup] mfcc kernel: ${message}`);

const headers = join(dirname(dirname(process.execPath)), 'include', 'node');
const cc = ['cc', 'gcc', 'clang'].find((c) => spawnSync(c, ['--version']).status === 0);
if (!cc || !existsSync(join(headers, 'node_api.h'))) {
  say(
    `skipped (${cc ? `no Node headers in ${headers}` : 'no C compiler'}); the JavaScript MFCC pipeline is used`,
  );
  process.exit(0);
}
// AVX2 only widens the vector loops; -ffp-contract=off (no FMA) keeps every host's bits equal.
const avx2 = process.arch === 'x64' && /\bavx2\b/.test(safeRead('/proc/cpuinfo'));
const flags = ['-O3', '-std=c11', '-fPIC', '-shared', '-ffp-contract=off', '-fno-fast-math', '-D_GNU_SOURCE'];
if (avx2) flags.push('-mavx2');
const stamp = createHash('sha256')
  .update(readFileSync(source))
  .update(JSON.stringify({ cc, flags, abi: process.versions.modules, napi: process.versions.napi }))
  .digest('hex');
if (!args.has('--force') && existsSync(target) && safeRead(stampPath).includes(stamp)) {
  say('up to date');
  process.exit(0);
}
mkdirSync(buildDir, { recursive: true });
const partial = `${target}.${process.pid}.tmp`;
const result = spawnSync(cc, [...flags, `-I${headers}`, source, '-o', partial, '-lm'], { encoding: 'utf8' });
if (result.status !== 0) {
  console.error(
    `[serx setup] mfcc kernel: ${cc} failed; the JavaScript MFCC pipeline is used\n${result.stderr}`,
  );
  process.exit(0);
}
renameSync(partial, target);
writeFileSync(stampPath, JSON.stringify({ stamp, cc, flags }, null, 2));
say(`built ${target} (${cc}${avx2 ? ', AVX2' : ''})`);

function safeRead(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
