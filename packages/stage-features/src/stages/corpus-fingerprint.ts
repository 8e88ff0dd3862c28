import { createHash } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { canonicalJson, readCached, saveCached, userCacheDir } from '@serx/core/stage';
import { readsByWalkOnly } from '../corpora/registry.ts';
import { type ListedFolder, withListedFolders } from '../corpora/walk.ts';
import { type CorpusSource, checkedReader, readCorpus } from './read-corpus.ts';

/**
 * `features:ingest`'s fingerprint: the relative path, size and modification time (ms) of every
 * file the reader reads (its audio files and label files), sorted by path, hashed. A changed,
 * added, removed, renamed or touched file changes it.
 *
 * A no-op rerun would read every corpus again just to learn which files to stat (one listing per
 * folder and the reader's parse of every name: half of its start-up). So for a reader that reads
 * one walk of its root (`parse` readers), the list of files is kept in the user cache
 * (`~/.cache/serx/corpus-listings`) with the status of every folder the walk listed, and reused
 * while the reader's code (`code`: the stage's code fingerprint), its params and every one of those
 * folders are unchanged: adding, removing or renaming an entry changes its folder's modification
 * time. Every file is still stat'ed each time, so an edit in place, which changes no folder, still
 * changes the fingerprint; the value is the same as without the kept list.
 */
export async function corpusFingerprint(
  source: CorpusSource,
  code: string | undefined,
  { settleMs = SETTLE_MS }: { settleMs?: number } = {},
): Promise<string> {
  const { reader, absent } = checkedReader(source);
  if (absent) return 'absent';
  const keep = code !== undefined && readsByWalkOnly(reader);
  const memo = keep ? new ListingMemo(source, code) : undefined;
  const kept = memo?.files();
  if (kept) {
    const fingerprint = hashKept(kept, source.root);
    if (fingerprint !== undefined) return fingerprint;
  }
  const started = Date.now();
  const { value, folders } = await withListedFolders(() => readCorpus(source));
  // One synchronous stat per file: thousands of awaited stats cost a round trip through the
  // thread pool each.
  const files = [...value.sources, ...value.utterances.map((u) => u.path)].sort();
  const hash = createHash('sha256');
  const rels = files.map((file) => {
    const rel = relative(source.root, file);
    const s = statSync(file);
    hash.update(line(rel, s.size, s.mtimeMs));
    return rel;
  });
  memo?.save(rels, files, folders, started - settleMs);
  return hash.digest('hex');
}

const line = (rel: string, size: number, mtimeMs: number) => `${rel}\t${size}\t${Math.round(mtimeMs)}\n`;

/**
 * The same hash from a kept list of paths relative to root; undefined when one is no longer a file
 * (then the corpus is read again, and the reader reports what is wrong as it always does).
 */
function hashKept(rels: readonly string[], root: string): string | undefined {
  const hash = createHash('sha256');
  const prefix = root + sep;
  for (const rel of rels) {
    const s = statSync(prefix + rel, { throwIfNoEntry: false });
    if (!s?.isFile()) return undefined;
    hash.update(line(rel, s.size, s.mtimeMs));
  }
  return hash.digest('hex');
}

/** Bumped when what a kept listing holds, or how it is checked, changes. */
const FORMAT = 1;
/**
 * A folder changed (mtime or ctime) less than this (ms) before its walk may change again without
 * its times moving (their granularity, a network disk's clock): its listing is not kept. ctime
 * counts too: a tool that restores an old mtime after adding files (tar, rsync -t) moves it.
 */
const SETTLE_MS = 5000;
/** Listings kept per params, for as many versions of the code (the newest). */
const KEPT_PER_SOURCE = 4;

interface KeptListing {
  format: number;
  code: string;
  source: string;
  /** path, device, inode, mtime (ns), ctime (ns) of every folder listed, in walk order */
  folders: [string, string, string, string, string][];
  /** The files relative to root, in the order the fingerprint hashes them (sorted by path). */
  files: string[];
}

class ListingMemo {
  private readonly dir = userCacheDir('corpus-listings');
  private readonly file: string;
  private readonly prefix: string;
  private readonly source: string;
  private readonly root: string;

  constructor(
    source: CorpusSource,
    private readonly code: string,
  ) {
    const { corpus, reader, root, optional, options } = source;
    this.root = root;
    this.source = canonicalJson({ corpus, reader, root, optional, options } as never);
    // one file per params and code: two serx of other code (an install and a checkout, before
    // and after an edit) reading one corpus in turn do not overwrite each other's listing
    this.prefix = `${createHash('sha256').update(this.source).digest('hex').slice(0, 24)}-`;
    this.file = `${this.prefix}${code.slice(0, 24)}.json`;
  }

  /** The kept files, when every folder they were found in is as it was; else undefined. */
  files(): string[] | undefined {
    const text = readCached([this.dir], this.file);
    if (text === undefined) return undefined;
    let kept: KeptListing;
    try {
      kept = JSON.parse(text) as KeptListing;
    } catch {
      return undefined; // a damaged file: read the corpus and write it again
    }
    if (kept.format !== FORMAT || kept.code !== this.code || kept.source !== this.source) return undefined;
    for (const [path, ...status] of kept.folders) {
      const now = statSync(path, { bigint: true, throwIfNoEntry: false });
      if (!now?.isDirectory() || folderStatus(now).some((value, i) => value !== status[i])) return undefined;
    }
    return kept.files;
  }

  /**
   * Keeps the listing unless a folder changed after `settled` (ms: {@link SETTLE_MS} before the
   * walk began), or a file is not root + `/` + its relative path (the kept form could not name it).
   */
  save(rels: string[], files: readonly string[], folders: readonly ListedFolder[], before: number): void {
    const settled = BigInt(before) * 1_000_000n;
    if (folders.some((f) => f.stat.mtimeNs > settled || f.stat.ctimeNs > settled)) return;
    const prefix = this.root + sep;
    if (rels.some((rel, i) => prefix + rel !== files[i])) return;
    const kept: KeptListing = {
      format: FORMAT,
      code: this.code,
      source: this.source,
      folders: folders.map((f) => [f.path, ...folderStatus(f.stat)]),
      files: rels,
    };
    if (saveCached(this.dir, this.file, JSON.stringify(kept))) this.prune();
  }

  /** Keeps the {@link KEPT_PER_SOURCE} newest listings of these params (other code) and no more. */
  private prune(): void {
    try {
      const others = readdirSync(this.dir)
        .filter((name) => name.startsWith(this.prefix) && name.endsWith('.json') && name !== this.file)
        .map((name) => ({ name, mtime: statSync(join(this.dir, name)).mtimeMs }))
        .sort((a, b) => b.mtime - a.mtime);
      for (const { name } of others.slice(KEPT_PER_SOURCE - 1)) rmSync(join(this.dir, name), { force: true });
    } catch {
      // best effort, like saving: another process may prune at the same time
    }
  }
}

function folderStatus(s: {
  dev: bigint;
  ino: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}): [string, string, string, string] {
  return [String(s.dev), String(s.ino), String(s.mtimeNs), String(s.ctimeNs)];
}
