import { mkdir, readdir, rm } from 'node:fs/promises';
import type { Cache, Staging } from '../cache/cache.ts';

// What the cache itself creates in tmp/: staging dirs `<key>.<pid>.<rand>`, their scratch dirs,
// and `trash.<pid>.<rand>` (entries being removed).
const CACHE_TMP = /^([0-9a-f]{64}|trash)\.\d+\.[0-9a-f]+(\.scratch)?$/;

/** The private temp dir of one execution: beside its staging dir, so a crash leaves it to gc. */
export async function createScratch(staging: Staging): Promise<string> {
  const dir = `${staging.dir}.scratch`;
  await mkdir(dir, { recursive: true });
  return dir;
}

export async function removeScratch(staging: Staging): Promise<void> {
  await rm(`${staging.dir}.scratch`, { recursive: true, force: true });
}

/** Files a stage left in its staging dir beside its declared output directories. */
export async function strayInStaging(staging: Staging): Promise<string[]> {
  const names = await readdir(staging.dir).catch(() => [] as string[]);
  return names.filter((name) => !(name in staging.outputs)).sort();
}

export async function tmpNames(cache: Cache): Promise<Set<string>> {
  return new Set(await readdir(cache.path('tmp')).catch(() => [] as string[]));
}

/**
 * Files that appeared in the cache's tmp/ since `before` and that the cache did not create:
 * written by a stage through a path outside its outputs (`outputs.x + '/../..'`). They are removed.
 */
export async function takeStrayInTmp(cache: Cache, before: ReadonlySet<string>): Promise<string[]> {
  const stray = [...(await tmpNames(cache))].filter((n) => !before.has(n) && !CACHE_TMP.test(n)).sort();
  await Promise.all(stray.map((n) => rm(cache.path('tmp', n), { recursive: true, force: true })));
  return stray;
}
