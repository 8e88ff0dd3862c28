import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StageDefinition } from '../../contract.ts';
import { definingModule } from '../../defining-module.ts';
import { ErrorCodes, SerxError } from '../../errors.ts';
import { ImportWalker, type Sources } from './import-closure.ts';
import { nativeLibraryVersions } from './native-libraries.ts';
import { isTestOrBench, sourceLabel } from './package-root.ts';
import { Lookups, type Resolved } from './resolve-specifier.ts';
import { SourceIndex, type SourceRecord } from './source-index.ts';

/** The code part of a cache key: what a stage executes, by content, and the libraries it runs on. */
export interface CodeFingerprint {
  /** sha256 of each source file, by {@link sourceLabel}. */
  files: { [file: string]: string };
  /** Versions of the installed packages the code imports (`@tensorflow/tfjs-node`) and native libraries (`libtensorflow`). */
  runtime: { [name: string]: string };
  /**
   * Imports that resolve to no file or package (`<importing file>: <specifier>`): their code is not
   * in the key. Absent when there are none; `serx why` lists them.
   */
  unresolved?: string[];
}

const indexes = new Map<string, SourceIndex>();

function toFile(stage: string, dependency: object | string): string {
  if (typeof dependency === 'string') {
    const file = dependency.startsWith('file:') ? fileURLToPath(dependency) : dependency;
    if (isAbsolute(file)) return file;
  } else {
    const file = definingModule(dependency);
    if (file) return file;
  }
  throw new SerxError(
    ErrorCodes.PLUGIN_INVALID,
    `stage '${stage}': codeDependencies() returned ${typeof dependency === 'string' ? `'${dependency}', not an absolute path` : 'an object whose defining module is unknown'}; ` +
      'return registry entries made by a define* function that calls recordDefiningModule, or absolute file paths',
  );
}

/**
 * Computes code fingerprints for one plan or run. Every file is stat'ed at most once per session
 * and read, hashed and scanned at most once per (path, size, mtime) — ever, with a cache dir.
 */
export class CodeFingerprinter {
  private readonly sources: Sources;
  private readonly stages = new Map<string, Promise<CodeFingerprint | undefined>>();
  private readonly resolved = new Map<string, Resolved | undefined>();
  private readonly lookups = new Lookups();

  constructor(private readonly index: SourceIndex) {
    const seen = new Map<string, Promise<SourceRecord | undefined>>();
    this.sources = {
      get: (path) => {
        let record = seen.get(path);
        if (!record) {
          record = index.get(path).catch((cause: Error) => {
            throw new SerxError(
              ErrorCodes.PLUGIN_LOAD,
              `cannot read ${path} for the cache key: ${cause.message.split('\n')[0]}`,
              { cause },
            );
          });
          seen.set(path, record);
        }
        return record;
      },
    };
  }

  /**
   * The fingerprint of `definition` run with `params`: the module that defined the stage, the
   * modules defining the registry entries it uses with these params (`codeDependencies`), and
   * everything they import. Undefined when the stage's module is unknown or a test file.
   */
  async ofStage(definition: StageDefinition, params: unknown): Promise<CodeFingerprint | undefined> {
    const own = definingModule(definition);
    const entries = [
      ...(own ? [own] : []),
      ...(definition.codeDependencies?.(params) ?? []).map((d) => toFile(definition.name, d)),
    ];
    const id = [...new Set(entries)].sort().join('\0');
    let fingerprint = this.stages.get(id);
    if (!fingerprint) {
      fingerprint = this.compute(entries);
      this.stages.set(id, fingerprint);
    }
    return fingerprint;
  }

  private async compute(entries: string[]): Promise<CodeFingerprint | undefined> {
    const walker = new ImportWalker(this.sources, isTestOrBench, this.resolved, this.lookups);
    for (const entry of entries) await walker.add(entry);
    const { files, packages, unresolved } = walker.closure;
    if (files.size === 0) return undefined;
    const missing = [...unresolved].flatMap(([file, specifiers]) =>
      [...specifiers].map((specifier) => `${sourceLabel(file)}: ${specifier}`),
    );
    const labelled = [...files].map(([file, hash]) => [sourceLabel(file), hash] as const);
    const runtime = Object.fromEntries([...packages].map(([name, { version }]) => [name, version]));
    return {
      files: Object.fromEntries(labelled.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      runtime: { ...runtime, ...nativeLibraryVersions(packages) },
      ...(missing.length > 0 ? { unresolved: missing.sort() } : {}),
    };
  }

  /** Keeps what was scanned for the next process. */
  save(): Promise<void> {
    return this.index.save();
  }
}

/** A fingerprinter whose file index lives in `cacheDir` (`code-index.json`), shared within the process. */
export function codeFingerprinter(cacheDir: string | undefined): CodeFingerprinter {
  const file = cacheDir ? `${cacheDir}/code-index.json` : '';
  let index = indexes.get(file);
  if (!index) {
    index = new SourceIndex(file || undefined);
    indexes.set(file, index);
  }
  return new CodeFingerprinter(index);
}
