/**
 * Push one local entry to the remote cache: its files first (content-addressed, each checked
 * against the manifest's sha256 while it streams, skipped when the remote already has it), its
 * manifest last, as the commit. A push killed at any point leaves at most some file objects that
 * no manifest names: the entry is not on the remote until its manifest is.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SerxError } from '../../errors.ts';
import type { Cache } from '../cache.ts';
import type { EntryManifest } from '../manifest.ts';
import { MANIFEST } from '../manifest.ts';
import { checkedStream } from './checked-stream.ts';
import { entryObject, fileObject } from './remote-layout.ts';
import type { RemoteStore } from './remote-store.ts';

export interface PushResult {
  key: string;
  /** `pushed`: committed now; `present`: the remote had it whole already (or got it from a concurrent push). */
  status: 'pushed' | 'present';
  files: number;
  /** Files uploaded (the rest were on the remote already). */
  uploaded: number;
  /** Bytes uploaded. */
  bytes: number;
}

interface LocalFile {
  path: string;
  sha256: string;
  size: number;
}

function filesOf(entry: string, manifest: EntryManifest): LocalFile[] {
  const bySha = new Map<string, LocalFile>();
  for (const [name, output] of Object.entries(manifest.outputs))
    for (const file of output.files)
      if (!bySha.has(file.sha256))
        bySha.set(file.sha256, { path: join(entry, name, file.path), sha256: file.sha256, size: file.size });
  return [...bySha.values()];
}

/** Whether every file a manifest names is on the remote with its size. */
async function complete(store: RemoteStore, manifest: EntryManifest): Promise<boolean> {
  const files = filesOf('', manifest);
  const found = await Promise.all(
    files.map((f) => store.limit(() => store.client.head(fileObject(store.prefix, f.sha256)))),
  );
  return found.every((head, i) => head?.size === files[i]?.size);
}

export async function pushEntry(cache: Cache, store: RemoteStore, key: string): Promise<PushResult> {
  const local = await cache.lookup(key, { keepCorrupt: true });
  if (local.status !== 'hit')
    throw new SerxError(
      local.status === 'corrupt' ? 'CACHE_CORRUPT' : 'USAGE',
      local.status === 'corrupt'
        ? `cannot push ${key}: the local entry is corrupt (${local.reason}); run serx run --verify to recompute it`
        : `cannot push ${key}: no such entry in ${cache.dir}`,
    );
  const files = filesOf(local.path, local.manifest);
  const remote = await store.manifest(key);
  if (remote.status === 'found' && (await complete(store, remote.manifest)))
    return { key, status: 'present', files: files.length, uploaded: 0, bytes: 0 };

  const uploads = await Promise.all(
    files.map((file) =>
      store.limit(async () => {
        const name = fileObject(store.prefix, file.sha256);
        if ((await store.client.head(name))?.size === file.size) return undefined;
        await store.client.putFile(name, file.path, file.size, {
          sha256: file.sha256,
          check: (stream) =>
            stream.pipe(checkedStream(file, `local file ${file.path} does not match its manifest`)),
        });
        return file.size;
      }),
    ),
  );
  const sent = uploads.filter((n): n is number => n !== undefined);
  const bytes = sent.reduce((sum, n) => sum + n, 0);
  const uploaded = sent.length;
  // the commit: exactly the local manifest. Create-only when the remote had none, so a concurrent
  // push of the same key that committed first is kept (its files are complete too); a manifest
  // that was there but incomplete or unreadable is replaced.
  const manifestBytes = await readFile(join(local.path, MANIFEST));
  const committed = await store.client.put(entryObject(store.prefix, key), manifestBytes, {
    contentType: 'application/json',
    ifAbsent: remote.status === 'absent',
  });
  return { key, status: committed === 'exists' ? 'present' : 'pushed', files: files.length, uploaded, bytes };
}
