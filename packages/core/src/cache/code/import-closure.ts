import { lstatSync, realpathSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Lookups, type Resolved, resolveSpecifier } from './resolve-specifier.ts';
import type { SourceRecord } from './source-index.ts';

/** Source records by path (a {@link SourceIndex}, or a per-session view of one). */
export interface Sources {
  get(path: string): Promise<SourceRecord | undefined>;
}

/** The source files and installed packages a set of entry modules can execute. */
export interface ImportClosure {
  /** Absolute path → sha256. */
  files: Map<string, string>;
  /** Installed (non-workspace) packages imported: name → { version, dir }. */
  packages: Map<string, { version: string; dir: string }>;
  /** Imports that resolve to nothing on disk: importing file → specifiers (`serx why` names them). */
  unresolved: Map<string, Set<string>>;
}

type Names = ReadonlySet<string> | '*';

const realFiles = new Map<string, string>();
const realDirs = new Map<string, string>();

/**
 * One name per file: a plugin may be reached through a node_modules symlink and by its real path.
 * The real path of a file that is not itself a link is its folder's real path and its name: the
 * folders' are asked once each (a module's siblings share them), the file's own is one lstat.
 */
function realFile(path: string): string {
  let real = realFiles.get(path);
  if (real === undefined) {
    try {
      if (lstatSync(path).isSymbolicLink()) real = realpathSync.native(path);
      else {
        const dir = dirname(path);
        let realDir = realDirs.get(dir);
        if (realDir === undefined) {
          realDir = realpathSync.native(dir);
          realDirs.set(dir, realDir);
        }
        real = join(realDir, basename(path));
      }
    } catch {
      real = path;
    }
    realFiles.set(path, real);
  }
  return real;
}

/**
 * Walks the import graph from entry modules. A module that is reached runs: its own file and
 * everything it imports count. An `export ... from` only forwards names, so it is followed for
 * the names that something asked for: importing `defineStage` from `@serx/core`'s index brings
 * in `contract.ts`, not the rest of core. `skip(file)` leaves a file out (tests, benches).
 */
export class ImportWalker {
  private readonly reached = new Map<string, SourceRecord>();
  private readonly asked = new Map<string, Set<string> | '*'>();
  private readonly exportNames = new Map<string, Promise<Set<string>>>();
  readonly closure: ImportClosure = { files: new Map(), packages: new Map(), unresolved: new Map() };

  constructor(
    private readonly index: Sources,
    private readonly skip: (file: string) => boolean,
    /** Resolutions by importer and specifier, shareable between walkers of one session. */
    private readonly resolved = new Map<string, Resolved | undefined>(),
    /** What the resolutions asked the file system, likewise. */
    private readonly lookups = new Lookups(),
  ) {}

  async add(file: string): Promise<void> {
    await this.need(file, new Set());
  }

  private resolve(specifier: string, from: string): Resolved | undefined {
    const id = `${from}\0${specifier}`;
    if (!this.resolved.has(id)) this.resolved.set(id, resolveSpecifier(specifier, from, this.lookups));
    return this.resolved.get(id);
  }

  private async follow(specifier: string, from: string, names: Names): Promise<void> {
    const target = this.resolve(specifier, from);
    if (target?.kind === 'module') await this.need(target.file, names);
    else if (target) this.closure.packages.set(target.name, { version: target.version, dir: target.dir });
    else if (!isBuiltin(specifier)) {
      // Not a Node built-in and nothing on disk: its code cannot be in the key, so say so.
      const specifiers = this.closure.unresolved.get(from) ?? new Set();
      this.closure.unresolved.set(from, specifiers.add(specifier));
    }
  }

  private async need(linked: string, names: Names): Promise<void> {
    const file = realFile(linked);
    if (this.skip(file)) return;
    let record = this.reached.get(file);
    if (!record) {
      record = await this.index.get(file);
      if (!record) return;
      this.reached.set(file, record);
      this.closure.files.set(file, record.sha256);
      for (const imported of record.imports)
        await this.follow(imported.specifier, file, imported.names === '*' ? '*' : new Set(imported.names));
    }
    const before = this.asked.get(file) ?? new Set<string>();
    if (before === '*') return;
    const fresh = names === '*' ? '*' : new Set([...names].filter((n) => !before.has(n)));
    if (fresh === '*') this.asked.set(file, '*');
    else {
      if (fresh.size === 0) return;
      for (const n of fresh) before.add(n);
      this.asked.set(file, before);
    }
    await this.forward(file, record, fresh);
  }

  /** Follows the re-exports of `file` that provide `names`. */
  private async forward(file: string, record: SourceRecord, names: Names): Promise<void> {
    const local = new Set(record.localExports);
    const wanted = names === '*' ? undefined : [...names].filter((n) => !local.has(n));
    for (const re of record.reExports) {
      if (re.names === '*') continue;
      const targets = Object.entries(re.names).filter(([exported]) => !wanted || wanted.includes(exported));
      if (targets.length === 0) continue;
      const inner = targets.some(([, name]) => name === '*') ? '*' : new Set(targets.map(([, name]) => name));
      await this.follow(re.specifier, file, inner);
    }
    const explicit = new Set(
      record.reExports.flatMap((re) => (re.names === '*' ? [] : Object.keys(re.names))),
    );
    for (const re of record.reExports) {
      if (re.names !== '*') continue;
      const target = this.resolve(re.specifier, file);
      if (target?.kind !== 'module') {
        if (target) await this.follow(re.specifier, file, '*');
        continue;
      }
      if (!wanted) {
        await this.need(target.file, '*');
        continue;
      }
      const provided = await this.namesOf(target.file);
      const forwarded = wanted.filter((n) => n !== 'default' && !explicit.has(n) && provided.has(n));
      if (forwarded.length > 0) await this.need(target.file, new Set(forwarded));
    }
  }

  /** Every name a module exports, through `export *` chains. */
  private namesOf(file: string, seen = new Set<string>()): Promise<Set<string>> {
    let names = this.exportNames.get(file);
    if (!names) {
      seen.add(file);
      names = (async () => {
        const record = this.skip(file) ? undefined : await this.index.get(file);
        const all = new Set(record?.localExports ?? []);
        for (const re of record?.reExports ?? []) {
          if (re.names !== '*') for (const n of Object.keys(re.names)) all.add(n);
          else {
            const target = this.resolve(re.specifier, file);
            if (target?.kind !== 'module' || seen.has(target.file)) continue;
            for (const n of await this.namesOf(target.file, seen)) if (n !== 'default') all.add(n);
          }
        }
        return all;
      })();
      this.exportNames.set(file, names);
    }
    return names;
  }
}
