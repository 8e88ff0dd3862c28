/**
 * serx's per-user cache of derived files (`$SERX_CACHE_HOME`, default `~/.cache/serx`): things a
 * process can rebuild from their content key but should not rebuild on every start — compiled
 * validators, parsed spec files. Saving is best effort: a folder that cannot be written only costs
 * the rebuild next time, and a file is written under a draft name and renamed, so a reader never
 * sees half of one.
 */

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$SERX_CACHE_HOME/<name>` (default `~/.cache/serx/<name>`). */
export function userCacheDir(name: string): string {
  return join(process.env.SERX_CACHE_HOME ?? join(homedir(), '.cache', 'serx'), name);
}

/** The text of the first of `dirs` that holds `file`, or undefined. */
export function readCached(dirs: readonly string[], file: string): string | undefined {
  for (const dir of dirs) {
    try {
      return readFileSync(join(dir, file), 'utf8');
    } catch {
      // not there: next place
    }
  }
  return undefined;
}

/** The bytes of the first of `dirs` that holds `file`, or undefined. */
export function readCachedBytes(dirs: readonly string[], file: string): Buffer | undefined {
  for (const dir of dirs) {
    try {
      return readFileSync(join(dir, file));
    } catch {
      // not there: next place
    }
  }
  return undefined;
}

/** Writes `dir/file` atomically; false when it could not (read-only home, full disk). */
export function saveCached(dir: string, file: string, text: string | Uint8Array): boolean {
  const target = join(dir, file);
  const draft = `${target}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(draft, text);
    renameSync(draft, target);
    return true;
  } catch {
    try {
      rmSync(draft, { force: true });
    } catch {
      // the folder itself is unusable (e.g. a file in its place): nothing was written
    }
    return false;
  }
}
