import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where an import leads: source to hash, or an installed package that counts by its version. */
export type Resolved =
  | { kind: 'module'; file: string }
  | { kind: 'package'; name: string; version: string; dir: string };

interface PackageJson {
  name?: string;
  version?: string;
  exports?: unknown;
  main?: string;
  module?: string;
  workspaces?: unknown;
}

const packageJsons = new Map<string, PackageJson | undefined>();

export function readPackageJson(dir: string): PackageJson | undefined {
  if (!packageJsons.has(dir)) {
    let pkg: PackageJson | undefined;
    try {
      pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
    } catch {
      pkg = undefined;
    }
    packageJsons.set(dir, pkg);
  }
  return packageJsons.get(dir);
}

/**
 * File-system answers of one session (a plan or a run): every module of a package asks the same
 * questions (is this a file, where is package X from this folder), each asked once.
 */
export class Lookups {
  readonly files = new Map<string, boolean>();
  readonly packages = new Map<string, string | undefined>();

  isFile(path: string): boolean {
    let known = this.files.get(path);
    if (known === undefined) {
      known = statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
      this.files.set(path, known);
    }
    return known;
  }

  /**
   * The real folder of package `name` as Node finds it from `dir` (the nearest
   * `node_modules/<name>` upwards), or undefined.
   */
  installed(dir: string, name: string): string | undefined {
    const id = `${dir}\0${name}`;
    if (this.packages.has(id)) return this.packages.get(id);
    const candidate = join(dir, 'node_modules', name);
    let real: string | undefined;
    if (existsSync(join(candidate, 'package.json'))) real = realpathSync.native(candidate);
    else if (dirname(dir) !== dir) real = this.installed(dirname(dir), name);
    this.packages.set(id, real);
    return real;
  }
}

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.js', '.mjs', '.jsx', '.cjs', '.cts'];

/** A file path as Node or a TypeScript-aware loader (core's, vitest) would find it. */
function resolveFile(path: string, lookups: Lookups): string | undefined {
  const isFile = (p: string) => lookups.isFile(p);
  if (isFile(path)) return path;
  // TypeScript sources import './x.js' meaning './x.ts'.
  const js = /\.(m|c)?jsx?$/.exec(path);
  if (js) {
    const stem = path.slice(0, -js[0].length);
    for (const ext of [`.${js[1] ?? ''}ts`, `.${js[1] ?? ''}tsx`]) if (isFile(stem + ext)) return stem + ext;
  }
  for (const ext of EXTENSIONS) if (isFile(path + ext)) return path + ext;
  for (const ext of EXTENSIONS) if (isFile(join(path, `index${ext}`))) return join(path, `index${ext}`);
  return undefined;
}

function exportTarget(exports: unknown, subpath: string): string | undefined {
  if (typeof exports === 'string') return subpath === '.' ? exports : undefined;
  if (!exports || typeof exports !== 'object') return undefined;
  const map = exports as Record<string, unknown>;
  const keys = Object.keys(map);
  if (keys.length > 0 && keys.every((k) => k.startsWith('.'))) {
    if (subpath in map) return conditional(map[subpath]);
    for (const key of keys) {
      const star = key.indexOf('*');
      if (star < 0 || !subpath.startsWith(key.slice(0, star)) || !subpath.endsWith(key.slice(star + 1)))
        continue;
      const match = subpath.slice(star, subpath.length - (key.length - star - 1));
      return conditional(map[key])?.replace('*', match);
    }
    return undefined;
  }
  return subpath === '.' ? conditional(exports) : undefined;
}

function conditional(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (!target || typeof target !== 'object') return undefined;
  const map = target as Record<string, unknown>;
  for (const condition of ['import', 'node', 'default', 'require']) {
    const found = conditional(map[condition]);
    if (found) return found;
  }
  return undefined;
}

/** The source file a package subpath names (package.json `exports`, else `module`/`main`/index). */
export function packageEntryFile(dir: string, subpath = '.', lookups = new Lookups()): string | undefined {
  const pkg = readPackageJson(dir);
  const target =
    exportTarget(pkg?.exports, subpath) ??
    (subpath === '.' ? (pkg?.module ?? pkg?.main ?? 'index') : subpath);
  return resolveFile(resolve(dir, target), lookups);
}

function splitBare(specifier: string): [string, string] {
  const parts = specifier.split('/');
  const length = specifier.startsWith('@') ? 2 : 1;
  const rest = parts.slice(length).join('/');
  return [parts.slice(0, length).join('/'), rest ? `./${rest}` : '.'];
}

const inNodeModules = (path: string) => path.split(sep).includes('node_modules');

/**
 * Resolves an import of `from`. A package installed from a registry counts by name and version; a
 * package of the workspace (symlinked into node_modules, e.g. `@serx/core`) is source to follow.
 * Node built-ins and what cannot be found give undefined.
 */
export function resolveSpecifier(
  specifier: string,
  from: string,
  lookups = new Lookups(),
): Resolved | undefined {
  if (isBuiltin(specifier)) return undefined;
  if (specifier.startsWith('file:')) specifier = fileURLToPath(specifier);
  if (specifier.startsWith('.') || isAbsolute(specifier)) {
    const file = resolveFile(resolve(dirname(from), specifier), lookups);
    return file ? { kind: 'module', file } : undefined;
  }
  const [name, subpath] = splitBare(specifier);
  const real = lookups.installed(dirname(from), name);
  if (real === undefined) return undefined;
  if (!inNodeModules(real)) {
    const file = packageEntryFile(real, subpath, lookups);
    return file ? { kind: 'module', file } : undefined;
  }
  return { kind: 'package', name, version: readPackageJson(real)?.version ?? 'unknown', dir: real };
}
