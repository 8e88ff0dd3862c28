import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SerxError } from '../errors.ts';
import { sha256 } from './key.ts';

export interface FileEntry {
  /** Path relative to the output directory, `/`-separated. */
  path: string;
  size: number;
  sha256: string;
}

const STREAM_ABOVE = 16 * 1024 * 1024;

export async function hashFile(path: string, size?: number): Promise<string> {
  if ((size ?? (await stat(path)).size) <= STREAM_ABOVE) return sha256(await readFile(path));
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Regular files under `dir`, sorted by path. Symlinks and special files are refused. */
export async function listFiles(dir: string, prefix = ''): Promise<{ path: string; size: number }[]> {
  const files: { path: string; size: number }[] = [];
  for (const dirent of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${dirent.name}` : dirent.name;
    const abs = join(dir, dirent.name);
    if (dirent.isDirectory()) files.push(...(await listFiles(abs, rel)));
    else if (dirent.isFile()) files.push({ path: rel, size: (await stat(abs)).size });
    else {
      throw new SerxError(
        'CACHE_CORRUPT',
        `output file ${abs} is not a regular file or directory; write plain files`,
      );
    }
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export async function hashTree(dir: string): Promise<FileEntry[]> {
  const files = await listFiles(dir);
  return Promise.all(files.map(async (f) => ({ ...f, sha256: await hashFile(join(dir, f.path), f.size) })));
}

/**
 * Content hash of an output directory: sha256 of the `sha256sum`-style listing
 * `<sha256>  <path>\n` of its files sorted by path, i.e. the same as
 * `cd <dir> && find . -type f | sed 's|^./||' | LC_ALL=C sort | xargs sha256sum | sha256sum`.
 */
export function contentHash(files: readonly FileEntry[]): string {
  return sha256(files.map((f) => `${f.sha256}  ${f.path}\n`).join(''));
}
