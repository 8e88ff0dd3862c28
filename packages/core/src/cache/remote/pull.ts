/**
 * Pull one entry from the remote cache into a local cache: the committed manifest is read and
 * checked, every file is streamed into a private staging directory under `tmp/` while its size
 * and sha256 are checked against the manifest, and the whole directory is renamed into
 * `entries/` last, exactly as a computed entry is published. A file object that fails its check
 * is wrong by its very name (files are named by their sha256): it is deleted from the remote, so
 * the next push of an entry that has it uploads it again.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SerxError } from '../../errors.ts';
import { type Cache, inside } from '../cache.ts';
import { MANIFEST } from '../manifest.ts';
import { checkedStream } from './checked-stream.ts';
import { fileObject } from './remote-layout.ts';
import type { RemoteStore } from './remote-store.ts';
import { remoteError } from './s3-http.ts';

export type PullResult =
  | { key: string; status: 'pulled'; files: number; bytes: number }
  | { key: string; status: 'present' | 'absent' }
  /** The remote entry is unusable (a bad manifest, a missing or corrupt file): nothing was published. */
  | { key: string; status: 'corrupt'; reason: string };

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Downloads one file, checked; undefined when it is sound, else why not. */
async function download(
  store: RemoteStore,
  file: { sha256: string; size: number },
  path: string,
): Promise<string | undefined> {
  const name = fileObject(store.prefix, file.sha256);
  const got = await store.client.getStream(name);
  if (!got) return `${store.client.name(name)} is missing`;
  try {
    await pipeline(
      got.stream,
      checkedStream(file, store.client.name(name)),
      createWriteStream(path, { flags: 'wx', mode: 0o644 }),
    );
  } catch (error) {
    if (error instanceof SerxError && error.code === 'REMOTE') throw error;
    // the connection broke mid-body, or the local disk refused: a remote failure, not corruption
    if (!(error instanceof SerxError && error.code === 'CACHE_CORRUPT'))
      throw remoteError(`GET ${store.client.name(name)}`, (error as Error).message, error);
    await store.client.delete(name);
    return `${error.message} (deleted from the remote)`;
  }
  await chmod(path, 0o444);
  return undefined;
}

export async function pullEntry(cache: Cache, store: RemoteStore, key: string): Promise<PullResult> {
  const target = cache.entryPath(key);
  if (await exists(join(target, MANIFEST))) return { key, status: 'present' };
  const remote = await store.manifest(key);
  if (remote.status === 'absent') return { key, status: 'absent' };
  if (remote.status === 'corrupt') return { key, status: 'corrupt', reason: remote.reason };
  const { manifest } = remote;
  // not `<key>.<pid>.<rand>`: a run computing this key clears those; gc reads the pid all the same
  const staging = cache.path('tmp', `pull-${key}.${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    const files = Object.entries(manifest.outputs).flatMap(([name, output]) => {
      const dir = inside(staging, name, `output '${name}'`);
      return output.files.map((file) => ({ ...file, path: inside(dir, file.path, `file '${file.path}'`) }));
    });
    await mkdir(staging, { recursive: true });
    await Promise.all(Object.keys(manifest.outputs).map((name) => mkdir(join(staging, name))));
    await Promise.all(
      [...new Set(files.map((f) => dirname(f.path)))].map((d) => mkdir(d, { recursive: true })),
    );
    const problems = await Promise.all(files.map((f) => store.limit(() => download(store, f, f.path))));
    const problem = problems.find((p) => p !== undefined);
    if (problem) return { key, status: 'corrupt', reason: problem };
    await writeFile(join(staging, MANIFEST), remote.bytes);
    await mkdir(dirname(target), { recursive: true });
    try {
      await rename(staging, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      // published meanwhile (a run, another pull): keep that one
      return { key, status: 'present' };
    }
    return { key, status: 'pulled', files: files.length, bytes: files.reduce((sum, f) => sum + f.size, 0) };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
