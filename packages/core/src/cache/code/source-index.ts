import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { sha256 } from '../key.ts';
import type { ModuleScan } from './scan-module.ts';

/** One source file as last seen: its identity on disk, the hash of its normalised code and its module structure. */
export interface SourceRecord extends Omit<ModuleScan, 'normalHash'> {
  size: number;
  mtimeMs: number;
  /** {@link ModuleScan.normalHash}: formatting, comments and import order change no key. */
  sha256: string;
}

interface IndexFile {
  format: typeof FORMAT;
  files: { [path: string]: SourceRecord };
}

// Bump when ModuleScan's meaning changes: older records are then scanned again.
const FORMAT = 2; // 2: sha256 is the normalised module's hash, not the file's

/**
 * Source files by (path, size, mtime): each file is read, hashed and scanned for imports once, and
 * the result kept in `<cache>/code-index.json` so that a no-op run stats files instead of reading
 * and compiling them. Losing the file only costs time.
 */
export class SourceIndex {
  private readonly records = new Map<string, SourceRecord>();
  private dirty = false;

  constructor(private readonly file: string | undefined) {
    if (!file) return;
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as IndexFile;
      if (saved.format === FORMAT)
        for (const [path, r] of Object.entries(saved.files)) this.records.set(path, r);
    } catch {
      // absent or unreadable: start empty
    }
  }

  /** The record of `path` as it is now on disk; undefined when the file does not exist. */
  async get(path: string): Promise<SourceRecord | undefined> {
    // a synchronous stat: on a no-op run every file is known, and an awaited stat per file would
    // cost a round trip through the thread pool each
    const info = statOrUndefined(path);
    if (!info?.isFile()) return undefined;
    const known = this.records.get(path);
    if (known && known.size === info.size && known.mtimeMs === info.mtimeMs) return known;
    const source = await readFile(path);
    const { scanModule } = await import('./scan-module.ts'); // loads esbuild only when needed
    // A command stage's script or lock file (.py, .R, .txt) is hashed as it is, not scanned for imports.
    const isModule = /\.[cm]?[jt]sx?$/.test(path);
    const { normalHash, ...scan } = isModule
      ? await scanModule(source.toString('utf8'), path)
      : { normalHash: sha256(source), imports: [], reExports: [], localExports: [] };
    const record: SourceRecord = { size: info.size, mtimeMs: info.mtimeMs, sha256: normalHash, ...scan };
    this.records.set(path, record);
    this.dirty = true;
    return record;
  }

  /**
   * Writes the index if something was (re)scanned; concurrent writers: the last one wins. Never
   * fails: a read-only or full cache only means scanning again next time.
   */
  async save(): Promise<void> {
    if (!this.file || !this.dirty) return;
    this.dirty = false;
    // Files that are gone (temp copies, moved modules) would only make the index grow.
    for (const path of this.records.keys()) if (!existsSync(path)) this.records.delete(path);
    const draft = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    const content: IndexFile = { format: FORMAT, files: Object.fromEntries(this.records) };
    try {
      await writeFile(draft, JSON.stringify(content));
      await rename(draft, this.file);
    } catch {
      await rm(draft, { force: true }).catch(() => {});
    }
  }
}

function statOrUndefined(path: string) {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined; // unreadable (EACCES, ELOOP): as absent, as before
  }
}
