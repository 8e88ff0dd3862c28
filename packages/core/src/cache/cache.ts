import { randomBytes } from 'node:crypto';
import { constants, existsSync, readFileSync } from 'node:fs';
import { access, chmod, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Json } from '../contract.ts';
import { quoteBytes, SerxError } from '../errors.ts';
import { faultPoint } from './fault.ts';
import { contentHash, hashTree } from './hash-tree.ts';
import type { CacheKeyInput } from './key.ts';
import { acquireLock, type LockOptions, type ReleaseLock } from './lock.ts';
import { checkEntry, type EntryManifest, MANIFEST } from './manifest.ts';
import type { ReuseNote } from './reuse-across-code.ts';
import { unreadable } from './unreadable.ts';

export type Lookup =
  | { status: 'hit'; path: string; manifest: EntryManifest }
  | { status: 'miss' }
  | { status: 'corrupt'; reason: string };

/** A temp directory that becomes the entry when published. */
export interface Staging {
  key: string;
  dir: string;
  /** One fresh directory per declared output. */
  outputs: { [name: string]: string };
}

export interface PublishInfo {
  keyInput: CacheKeyInput;
  producer: string;
  outputs: { [name: string]: { type: string; meta: { [key: string]: Json }; corpora: string[] } };
  metrics: { [name: string]: number };
  timing: EntryManifest['timing'];
  runId: string | undefined;
  /** Set when the outputs were reused from an entry made by other code. */
  reusedAcrossCodeChange?: ReuseNote;
}

const isKey = (name: string) => /^[0-9a-f]{64}$/.test(name);

/** Keys name directories and files of the cache: anything but 64 hex digits is a bug upstream. */
function checkedKey(key: string): string {
  if (!isKey(key)) throw new SerxError('INTERNAL', `'${key}' is not a cache key (64 hex digits)`);
  return key;
}

/**
 * `root/name`, refused unless it stays inside `root` (a name from plugin or spec data such as
 * `../../x` must never make serx write elsewhere).
 */
export function inside(root: string, name: string, what: string): string {
  const path = resolve(root, name);
  const rel = relative(root, path);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))
    throw new SerxError('INTERNAL', `${what} would be written outside ${root} (${path})`);
  return path;
}

/**
 * A content-addressed cache directory:
 * `entries/<key[:2]>/<key>/{<output>/..., manifest.json}`, `tmp/` (staging, never read as entries),
 * `work/<key>/` (checkpoints surviving crashes), `locks/<key>.lock`, `pins/<key>.json`, `runs/`.
 */
export class Cache {
  readonly dir: string;
  /**
   * Set ('EROFS', 'EACCES') when the cache cannot be written: hits are served, nothing that needs
   * writing (computing, pins, run records) is attempted.
   */
  readOnly: string | undefined;
  /**
   * Asked when a lookup misses (or finds a corrupt entry and removes it): may publish the entry
   * from elsewhere (the remote cache, `serx run --pull`) and answer true, and the key is looked
   * up again. Never asked by a read-only cache.
   */
  fetchMissing: ((key: string) => Promise<boolean>) | undefined;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  entryPath(key: string): string {
    return this.path('entries', key.slice(0, 2), checkedKey(key));
  }

  /** Reads and checks an entry (sizes; full hashes with `verify`). A corrupt entry is removed. */
  async lookup(key: string, options: { verify?: boolean; keepCorrupt?: boolean } = {}): Promise<Lookup> {
    const found = await this.lookupHere(key, options);
    const fetch = this.fetchMissing;
    if (
      found.status === 'hit' ||
      !fetch ||
      this.readOnly ||
      (found.status === 'corrupt' && options.keepCorrupt)
    )
      return found;
    return (await fetch(key)) ? this.lookupHere(key, options) : found;
  }

  private async lookupHere(
    key: string,
    options: { verify?: boolean; keepCorrupt?: boolean },
  ): Promise<Lookup> {
    const path = this.entryPath(key);
    let manifest: EntryManifest;
    try {
      // synchronous, like the stats of its files (manifest.ts): a no-op rerun reads every one
      manifest = JSON.parse(readFileSync(join(path, MANIFEST), 'utf8')) as EntryManifest;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        const exists = await readdir(path).then(
          () => true,
          () => false,
        );
        if (!exists) return { status: 'miss' };
        return this.corrupt(key, 'manifest.json is missing', options.keepCorrupt);
      }
      const code = (error as NodeJS.ErrnoException).code;
      if (code) throw unreadable(join(path, MANIFEST), error as NodeJS.ErrnoException);
      // it was read, but it is not JSON: really corrupt
      return this.corrupt(
        key,
        `manifest.json is unreadable: ${(error as Error).message}`,
        options.keepCorrupt,
      );
    }
    const reason =
      manifest.key === key
        ? await checkEntry(path, manifest, options.verify ?? false)
        : 'manifest names another key';
    if (reason) return this.corrupt(key, reason, options.keepCorrupt);
    return { status: 'hit', path, manifest };
  }

  private async corrupt(key: string, reason: string, keep = false): Promise<Lookup> {
    if (!keep) await this.removeEntry(key);
    return { status: 'corrupt', reason };
  }

  async stage(key: string, outputNames: readonly string[]): Promise<Staging> {
    const dir = this.path('tmp', `${key}.${process.pid}.${randomBytes(4).toString('hex')}`);
    const outputs: { [name: string]: string } = {};
    for (const name of outputNames) {
      outputs[name] = inside(dir, name, `output '${name}'`);
      await mkdir(outputs[name], { recursive: true });
    }
    await mkdir(dir, { recursive: true });
    return { key, dir, outputs };
  }

  async discard(staging: Staging): Promise<void> {
    await rm(staging.dir, { recursive: true, force: true });
  }

  /** Removes staging dirs of `key` left by killed runs; call while holding the key's lock. */
  async clearStaging(key: string): Promise<void> {
    const names = await readdir(this.path('tmp')).catch(() => [] as string[]);
    await Promise.all(
      names
        .filter((n) => n.startsWith(`${key}.`))
        .map((n) => rm(this.path('tmp', n), { recursive: true, force: true })),
    );
  }

  /** Hashes the staged outputs, writes the manifest and renames the staging dir into place. */
  async publish(staging: Staging, info: PublishInfo): Promise<EntryManifest> {
    const outputs: EntryManifest['outputs'] = {};
    for (const [name, declared] of Object.entries(info.outputs)) {
      const files = await hashTree(staging.outputs[name] ?? join(staging.dir, name)).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
          throw new SerxError(
            'CACHE_CORRUPT',
            `stage ${info.producer} removed its output directory '${name}'`,
          );
        },
      );
      const size = files.reduce((sum, f) => sum + f.size, 0);
      // Consumers get these files as inputs: make an accidental in-place edit fail loudly.
      await Promise.all(
        files.map((f) => chmod(join(staging.outputs[name] ?? join(staging.dir, name), f.path), 0o444)),
      );
      outputs[name] = { ...declared, hash: contentHash(files), files, size };
    }
    const manifest: EntryManifest = {
      format: 1,
      key: staging.key,
      keyInput: info.keyInput,
      stage: info.keyInput.stage,
      producer: info.producer,
      outputs,
      metrics: info.metrics,
      timing: info.timing,
      createdBy: { runId: info.runId, pid: process.pid, hostname: hostname() },
      ...(info.reusedAcrossCodeChange ? { reusedAcrossCodeChange: info.reusedAcrossCodeChange } : {}),
    };
    await writeFile(join(staging.dir, MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
    faultPoint('manifest-written');
    const target = this.entryPath(staging.key);
    await mkdir(join(target, '..'), { recursive: true });
    try {
      await rename(staging.dir, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      // Someone published this key without holding our lock (e.g. a manual copy): keep a sound entry.
      const existing = await this.lookup(staging.key);
      if (existing.status === 'hit') {
        await this.discard(staging);
        return existing.manifest;
      }
      await rename(staging.dir, target);
    }
    faultPoint('published');
    return manifest;
  }

  /** The key's checkpoint directory (created on demand). */
  async workDir(key: string): Promise<string> {
    const dir = this.path('work', checkedKey(key));
    await mkdir(dir, { recursive: true });
    return dir;
  }

  async removeWorkDir(key: string): Promise<void> {
    const dir = this.path('work', key);
    // asked on every hit of a no-op rerun, where there is none: one synchronous check first
    if (!existsSync(dir)) return;
    await rm(dir, { recursive: true, force: true });
  }

  lock(key: string, options: LockOptions = {}): Promise<ReleaseLock> {
    return acquireLock(this.path('locks', `${checkedKey(key)}.lock`), options);
  }

  /** Moves the entry out of `entries/` first, so a half-deleted entry is never visible. */
  async removeEntry(key: string): Promise<void> {
    const trash = this.path('tmp', `trash.${process.pid}.${randomBytes(4).toString('hex')}`);
    try {
      await rename(this.entryPath(key), trash);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    await rm(trash, { recursive: true, force: true });
  }

  async listEntries(): Promise<string[]> {
    const keys: string[] = [];
    for (const prefix of await readdir(this.path('entries')).catch(() => [] as string[])) {
      const names = await readdir(this.path('entries', prefix)).catch(() => [] as string[]);
      keys.push(...names.filter(isKey));
    }
    return keys.sort();
  }

  async pin(key: string, note: string): Promise<void> {
    await writeFile(
      this.path('pins', `${checkedKey(key)}.json`),
      `${JSON.stringify({ key, note, pinnedAt: new Date().toISOString() })}\n`,
    );
  }

  async unpin(key: string): Promise<boolean> {
    return rm(this.path('pins', `${checkedKey(key)}.json`)).then(
      () => true,
      () => false,
    );
  }

  async pins(): Promise<Set<string>> {
    const names = await readdir(this.path('pins')).catch(() => [] as string[]);
    return new Set(names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5)));
  }
}

const LAYOUT = ['entries', 'tmp', 'work', 'locks', 'pins', 'runs'];
const READ_ONLY = new Set(['EROFS', 'EACCES', 'EPERM']);

/**
 * `<cache>/serx-cache.json`: says that a directory is a serx cache, and in which layout. Written
 * first when a cache is created; gc and every command that writes refuse a directory without it
 * (a cache made before the marker existed is recognised by its layout and gets one).
 */
export const CACHE_MARKER = 'serx-cache.json';
/** The layout this serx reads and writes; a cache of a newer format is refused. */
export const CACHE_FORMAT = 1;

/** Why `dir` cannot be written ('EROFS', 'EACCES', ...), or undefined if it can. */
async function notWritable(dir: string): Promise<string | undefined> {
  for (const path of [dir, ...LAYOUT.map((d) => join(dir, d))]) {
    const code = await access(path, constants.W_OK).then(
      () => undefined,
      (error: NodeJS.ErrnoException) => error.code,
    );
    if (code && READ_ONLY.has(code)) return code;
  }
  return undefined;
}

const notACache = (dir: string, why: string) =>
  new SerxError(
    'USAGE',
    `${dir} is not a serx cache (${why}); serx does not write to or delete from it. Pass the cache directory (--cache <dir> or $SERX_CACHE), or a new or empty directory to start a cache there`,
  );

/**
 * What `dir` is: 'marked' (has the marker), 'legacy' (a serx cache made before the marker: every
 * layout directory and nothing foreign at the top), 'new' (missing, empty, or only a marker being
 * written), or refused with a USAGE error.
 */
async function cacheState(dir: string): Promise<'marked' | 'legacy' | 'new'> {
  let marker: string;
  try {
    marker = await readFile(join(dir, CACHE_MARKER), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR')
      throw unreadable(join(dir, CACHE_MARKER), error as NodeJS.ErrnoException);
    const names = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return [] as string[];
      throw e;
    });
    // another process creating this cache renamed its marker into place since the read above:
    // read it (openCache writes the marker before any layout directory, so this is the only race)
    if (names.includes(CACHE_MARKER)) return cacheState(dir);
    const own = names.filter((n) => !n.startsWith(`${CACHE_MARKER}.`));
    if (own.length === 0) return 'new';
    const layout = LAYOUT.every((d) => own.includes(d));
    const entries = layout ? await readdir(join(dir, 'entries')).catch(() => [] as string[]) : [];
    if (layout && entries.every((n) => /^[0-9a-f]{2}$/.test(n))) return 'legacy';
    const shown = own.slice(0, 5).join(', ') + (own.length > 5 ? ', …' : '');
    throw notACache(dir, `it has no ${CACHE_MARKER} and holds ${shown}`);
  }
  let format: unknown;
  try {
    const parsed = JSON.parse(marker) as { serx?: unknown; format?: unknown };
    if (parsed.serx !== 'cache') throw new Error('not a serx cache marker');
    format = parsed.format;
  } catch {
    throw notACache(dir, `its ${CACHE_MARKER} is not a serx cache marker: ${quoteBytes(marker)}`);
  }
  if (typeof format !== 'number' || !Number.isInteger(format) || format < 1)
    throw notACache(dir, `its ${CACHE_MARKER} has no valid format (${JSON.stringify(format)})`);
  if (format > CACHE_FORMAT)
    throw new SerxError(
      'ENVIRONMENT',
      `${dir} is a serx cache of format ${format}; this serx reads format ${CACHE_FORMAT}: upgrade serx, or use another cache directory`,
    );
  return 'marked';
}

/** Writes the marker atomically (a draft renamed into place). */
async function writeMarker(dir: string): Promise<void> {
  const path = join(dir, CACHE_MARKER);
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const marker = { serx: 'cache', format: CACHE_FORMAT, createdAt: new Date().toISOString() };
  await writeFile(draft, `${JSON.stringify(marker)}\n`);
  await rename(draft, path);
}

/**
 * Opens (creating if needed) the cache directory `dir`. A complete cache that cannot be written
 * (a read-only mount, a frozen shared results cache) opens read-only: lookups work, and anything
 * that would write says so (`cache.readOnly`). A directory that is not a serx cache (no marker,
 * not a cache's layout, not empty) is refused before anything is written or removed there.
 */
export async function openCache(dir: string): Promise<Cache> {
  const cache = new Cache(dir);
  let state: Awaited<ReturnType<typeof cacheState>>;
  try {
    state = await cacheState(cache.dir);
    if (state === 'new') await mkdir(cache.dir, { recursive: true });
    if (state !== 'marked') await writeMarker(cache.dir);
    await Promise.all(LAYOUT.map((d) => mkdir(cache.path(d), { recursive: true })));
  } catch (cause) {
    if (cause instanceof SerxError) throw cause;
    const code =
      (await notWritable(cache.dir).catch(() => undefined)) ?? (cause as NodeJS.ErrnoException).code;
    // a complete cache made before the marker, on a read-only mount: read it as it is
    if (code && READ_ONLY.has(code) && (await cacheState(cache.dir).catch(() => 'new')) === 'legacy') {
      cache.readOnly = code;
      return cache;
    }
    const why =
      code === 'EROFS'
        ? 'on a read-only file system (EROFS)'
        : code === 'EACCES' || code === 'EPERM'
          ? `not writable by this user (${code})`
          : undefined;
    throw new SerxError(
      'ENVIRONMENT',
      why
        ? `cannot create the cache in ${cache.dir}: it is ${why}; a run writes ${LAYOUT.map((d) => `${d}/`).join(', ')} there (a complete read-only cache can be read, an empty one cannot be filled); pass --cache <writable dir> or set SERX_CACHE`
        : `cannot use ${cache.dir} as the cache directory (${(cause as Error).message}); pass --cache <dir> or set SERX_CACHE`,
      { cause },
    );
  }
  cache.readOnly = await notWritable(cache.dir);
  return cache;
}
