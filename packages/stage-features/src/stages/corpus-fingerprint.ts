import { createHash } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { canonicalJson, readCached, saveCached, userCacheDir } from '@serx/core/stage';
import { readsByWalkOnly } from '../corpora/registry.ts';
import { type ListedFolder, withListedFolders } from '../corpora/walk.ts';
import { type CorpusSource, checkedReader, readCorpus } from './read-corpus.ts';
import { type SubsetOptions, subset } from './subset.ts';

/** What the fingerprint reads: the corpus, and the params that select from it. */
export type FingerprintSource = CorpusSource & SubsetOptions;

/**
 * `features:ingest`'s fingerprint: the relative path, size and modification time (ms) of every
 * file the stage reads, sorted by path, hashed. Those are the files the reader reads to list the
 * corpus (label and index files) and the audio of the utterances the params select: all of them,
 * or with `limit`, `perClass` or `perSpeaker` a subset, and then the names of every utterance
 * found too (they decide which are selected, and the output counts them). A changed, added,
 * removed, renamed or touched file changes it; an edit in place of audio the subset leaves out
 * does not, as it changes nothing the stage writes.
 *
 * A no-op rerun would read every corpus again just to learn which files to stat (one listing per
 * folder and the reader's parse of every name: half of its start-up). So for a reader that reads
 * one walk of its root (`parse` readers), what the fingerprint needs (the files to stat, the
 * names found) is kept in the user cache (`~/.cache/serx/corpus-listings`) with the status of
 * every folder the walk listed, and reused while the reader's code (`code`: the stage's code
 * fingerprint), its params and every one of those folders are unchanged: adding, removing or
 * renaming an entry changes its folder's modification time. The files read are still stat'ed each
 * time, so an edit in place, which changes no folder, still changes the fingerprint; the value is
 * the same as without the kept listing.
 */
export async function corpusFingerprint(
  source: FingerprintSource,
  code: string | undefined,
  { settleMs = SETTLE_MS }: { settleMs?: number } = {},
): Promise<string> {
  const { reader, absent } = checkedReader(source);
  if (absent) return 'absent';
  const keep = code !== undefined && readsByWalkOnly(reader);
  const memo = keep ? new ListingMemo(source, code) : undefined;
  const kept = memo?.read();
  if (kept) {
    const prefix = source.root + sep;
    const fingerprint = hashRead(kept.files, (rel) => prefix + rel, kept.found);
    if (fingerprint !== undefined) return fingerprint;
  }
  const started = Date.now();
  const { value, folders } = await withListedFolders(() => readCorpus(source));
  const subsetting = selectsSubset(source);
  const selected = subsetting ? subset(value.utterances, source) : value.utterances;
  const files = [...value.sources, ...selected.map((u) => u.path)].sort();
  const rels = files.map((file) => relative(source.root, file));
  const found = subsetting
    ? namesDigest(value.utterances.map((u) => relative(source.root, u.path)))
    : undefined;
  const fingerprint = hashRead(rels, (_rel, i) => files[i]!, found, { strict: true })!;
  memo?.save({ files: rels, found }, files, folders, started - settleMs);
  return fingerprint;
}

const selectsSubset = (s: SubsetOptions) =>
  s.limit !== undefined || s.perClass !== undefined || s.perSpeaker !== undefined;

/** The names of every utterance found, sorted, hashed: what decides a subset. */
function namesDigest(rels: string[]): string {
  return createHash('sha256').update(rels.sort().join('\n')).digest('hex');
}

/**
 * The fingerprint of the files read (relative paths, sorted) and, for a subset, the digest of the
 * names found: one synchronous stat per file (thousands of awaited stats cost a round trip through
 * the thread pool each). Undefined when a file is no longer a file (a kept listing is then read
 * again, and the reader reports what is wrong as it always does). `strict`, for files the reader
 * has just listed: no such check, and a file gone since is the stat's error.
 */
function hashRead(
  rels: readonly string[],
  pathOf: (rel: string, i: number) => string,
  found: string | undefined,
  { strict = false } = {},
): string | undefined {
  const hash = createHash('sha256');
  for (const [i, rel] of rels.entries()) {
    const s = statSync(pathOf(rel, i), { throwIfNoEntry: strict });
    if (!s || (!strict && !s.isFile())) return undefined;
    hash.update(`${rel}\t${s.size}\t${Math.round(s.mtimeMs)}\n`);
  }
  if (found !== undefined) hash.update(`found\t${found}\n`);
  return hash.digest('hex');
}

/** Bumped when what a kept listing holds, or how it is checked, changes. */
const FORMAT = 2;
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
  /** What the fingerprint reads, as {@link hashRead} takes it. */
  read: ReadFiles;
}

/** The files read, relative to root and sorted by path; for a subset, the digest of the names found. */
interface ReadFiles {
  files: string[];
  found?: string;
}

class ListingMemo {
  private readonly dir = userCacheDir('corpus-listings');
  private readonly file: string;
  private readonly prefix: string;
  private readonly source: string;
  private readonly root: string;

  constructor(
    source: FingerprintSource,
    private readonly code: string,
  ) {
    const { corpus, reader, root, optional, options, limit, perClass, perSpeaker } = source;
    this.root = root;
    this.source = canonicalJson({
      corpus,
      reader,
      root,
      optional,
      options,
      limit,
      perClass,
      perSpeaker,
    } as never);
    // one file per params and code: two serx of other code (an install and a checkout, before
    // and after an edit) reading one corpus in turn do not overwrite each other's listing
    this.prefix = `${createHash('sha256').update(this.source).digest('hex').slice(0, 24)}-`;
    this.file = `${this.prefix}${code.slice(0, 24)}.json`;
  }

  /** What was kept, when every folder it was found in is as it was; else undefined. */
  read(): ReadFiles | undefined {
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
    return kept.read;
  }

  /**
   * Keeps the listing unless a folder changed after `settled` (ms: {@link SETTLE_MS} before the
   * walk began), or a file is not root + `/` + its relative path (the kept form could not name it).
   */
  save(read: ReadFiles, files: readonly string[], folders: readonly ListedFolder[], before: number): void {
    const settled = BigInt(before) * 1_000_000n;
    if (folders.some((f) => f.stat.mtimeNs > settled || f.stat.ctimeNs > settled)) return;
    const prefix = this.root + sep;
    if (read.files.some((rel, i) => prefix + rel !== files[i])) return;
    const kept: KeptListing = {
      format: FORMAT,
      code: this.code,
      source: this.source,
      folders: folders.map((f) => [f.path, ...folderStatus(f.stat)]),
      read,
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
