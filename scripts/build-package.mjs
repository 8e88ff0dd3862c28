#!/usr/bin/env node
// Builds the package in the current directory into dist/: `tsc -p tsconfig.build.json` emits JS and
// .d.ts (relative `./x.ts` imports rewritten to `./x.js`; `noCheck`: type errors are the `typecheck`
// target's job, which makes a build ~6x faster), then the plain-JS runtime files of src/
// (worker/child-process entries, *.mjs) are copied with their TypeScript hooks removed, since an
// installed serx runs built JS without a loader. Run by the Nx `build` target (cached).
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const root = process.cwd();
const src = join(root, 'src');
const dist = join(root, 'dist');
if (!existsSync(join(root, 'tsconfig.build.json'))) {
  console.error(`build-package: no tsconfig.build.json in ${root}`);
  process.exit(2);
}
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) process.exit(result.status ?? 1);

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

/**
 * Source → built form of a JS text: `new URL('./x.ts', import.meta.url)` and `import('./x.ts')`
 * point at `.js`; an .mjs entry's registration of the TypeScript loader is dropped (nothing to
 * transpile).
 */
function toBuilt(text) {
  return text
    .replace(/import \{ registerTypeScript \} from '[^'\n]+';\n+registerTypeScript\(\);\n/g, '')
    .replace(/(new URL\(|import\()(['"])(\.\.?\/[^'"\n]+)\.ts\2/g, '$1$2$3.js$2');
}

let rewritten = 0;
for (const file of walk(src)) {
  const out = join(dist, relative(src, file));
  if (file.endsWith('.mjs')) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, toBuilt(readFileSync(file, 'utf8')));
    rewritten++;
  } else if (file.endsWith('.json') && !file.includes('/test/')) {
    mkdirSync(dirname(out), { recursive: true });
    copyFileSync(file, out);
  }
}
for (const file of walk(dist)) {
  if (!file.endsWith('.js')) continue;
  const text = readFileSync(file, 'utf8');
  const built = toBuilt(text);
  if (built !== text) {
    writeFileSync(file, built);
    rewritten++;
  }
}
console.log(
  `build-package: ${relative(process.cwd(), dist) || 'dist'} ready (${rewritten} runtime files rewritten)`,
);
