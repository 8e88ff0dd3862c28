#!/usr/bin/env node
// `npm run bench [-- <filter>... [--option value...]]`: runs every bench/*.bench.ts and
// packages/*/bench/*.bench.ts whose path contains a <filter> (all when none), one after the other,
// through core's TypeScript loader. Everything from the first `--option` on is passed to each selected bench
// (`npm run bench -- reference --seeds 1 --epochs 2`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const typescript = join(root, 'packages', 'core', 'src', 'loader', 'import.mjs');

function benchFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.bench.ts'))
    .sort()
    .map((name) => join(dir, name));
}

const packagesDir = join(root, 'packages');
const files = [
  ...benchFiles(join(root, 'bench')),
  ...readdirSync(packagesDir)
    .sort()
    .flatMap((pkg) => benchFiles(join(packagesDir, pkg, 'bench'))),
];
const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('--'));
const filters = firstOption < 0 ? args : args.slice(0, firstOption);
const options = firstOption < 0 ? [] : args.slice(firstOption);
const selected = files.filter(
  (file) => filters.length === 0 || filters.some((f) => relative(root, file).includes(f)),
);
if (selected.length === 0) {
  console.error(
    `no benchmark matches ${filters.join(' ')}; available:\n  ${files.map((f) => relative(root, f)).join('\n  ')}`,
  );
  process.exit(1);
}

const failed = [];
for (const file of selected) {
  const name = relative(root, file);
  console.log(`\n=== ${name}`);
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--import', typescript, file, ...options], {
    cwd: dirname(file),
    stdio: 'inherit',
  });
  console.log(
    `=== ${name}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (result.status !== 0) failed.push(name);
}
if (failed.length > 0) {
  console.error(`\n${failed.length} benchmark(s) failed: ${failed.join(', ')}`);
  process.exit(1);
}
