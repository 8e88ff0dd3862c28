// Module hooks that run TypeScript: registered by ./register.mjs, in Node's module-hooks thread.
// Plain JavaScript: it runs before any TypeScript can.
//
// `load`: a .ts, .mts or .tsx file is an ES module whose code is esbuild's transform of the file
// (types removed, an inline source map so stack traces name the .ts lines). The transform is kept
// by content in the user cache (`$SERX_CACHE_HOME/transpiled`, default ~/.cache/serx/transpiled):
// a no-op run reads each module's source and its kept transform, and never loads esbuild.
// `resolve`: a relative `./x.js` that does not exist is `./x.ts` (the TypeScript convention).
// A URL with `?serx-es-module` (register.mjs's asEsModule) loads as an ES module whatever its package
// scope says: plugin loading uses it to say what a file that Node took for CommonJS exports.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bumped when the transform's options or the kept form change: older transforms are not used. */
const FORMAT = 1;
const TYPESCRIPT = /\.(m?ts|tsx)$/;
const AS_ES_MODULE = 'serx-es-module';
const OPTIONS = {
  format: 'esm',
  target: `node${process.versions.node}`,
  sourcemap: 'inline',
  sourcesContent: false,
  minifyWhitespace: true,
};
/** Kept transforms not written again for this long are removed (checked at most once a day). */
const PRUNE_AFTER_MS = 30 * 24 * 3600_000;

const dir = join(process.env.SERX_CACHE_HOME ?? join(homedir(), '.cache', 'serx'), 'transpiled');
let esbuild;
let pruned = false;

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const ts = /^\.\.?\//.test(specifier) && specifier.match(/^(.*)\.(m?)js$/);
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !ts) throw error;
    for (const candidate of [`${ts[1]}.${ts[2]}ts`, `${ts[1]}.tsx`]) {
      try {
        return await nextResolve(candidate, context);
      } catch {
        // not this one either
      }
    }
    throw error;
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:')) return nextLoad(url, context);
  const { pathname, searchParams } = new URL(url);
  const typescript = TYPESCRIPT.test(pathname);
  if (!typescript && !searchParams.has(AS_ES_MODULE)) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const source = await readFile(file, 'utf8');
  return {
    format: 'module',
    source: typescript ? await transformed(file, source) : source,
    shortCircuit: true,
  };
}

async function transformed(file, source) {
  const key = createHash('sha256')
    .update(JSON.stringify([FORMAT, OPTIONS, file]))
    .update('\0')
    .update(source)
    .digest('hex');
  const kept = join(dir, key.slice(0, 2), `${key}.js`);
  const code = await readFile(kept, 'utf8').catch(() => undefined);
  if (code !== undefined) return code;
  esbuild ??= await import('esbuild');
  const result = await esbuild.transform(source, {
    ...OPTIONS,
    loader: file.endsWith('.tsx') ? 'tsx' : 'ts',
    sourcefile: file,
  });
  await keep(kept, result.code);
  return result.code;
}

/** Writes a transform under a draft name and renames it (a reader never sees half); best effort. */
async function keep(path, code) {
  const draft = `${path}.${process.pid}.${Math.random().toString(16).slice(2)}`;
  try {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(draft, code);
    await rename(draft, path);
    if (!pruned) {
      pruned = true;
      await prune();
    }
  } catch {
    await rm(draft, { force: true }).catch(() => {});
  }
}

/** Removes transforms of sources that have not been transformed again for a month (edited away). */
async function prune() {
  const stamp = join(dir, 'pruned');
  const last = await stat(stamp).catch(() => undefined);
  if (last && Date.now() - last.mtimeMs < 24 * 3600_000) return;
  await writeFile(stamp, '');
  for (const shard of await readdir(dir, { withFileTypes: true })) {
    if (!shard.isDirectory()) continue;
    for (const name of await readdir(join(dir, shard.name))) {
      const path = join(dir, shard.name, name);
      const s = await stat(path).catch(() => undefined);
      if (s && Date.now() - s.mtimeMs > PRUNE_AFTER_MS) await rm(path, { force: true });
    }
  }
}
