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

const isFile = (path: string) => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.js', '.mjs', '.jsx', '.cjs', '.cts'];

/** A file path as Node or a TypeScript-aware loader (tsx, vitest) would find it. */
function resolveFile(path: string): string | undefined {
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
export function packageEntryFile(dir: string, subpath = '.'): string | undefined {
  const pkg = readPackageJson(dir);
  const target =
    exportTarget(pkg?.exports, subpath) ??
    (subpath === '.' ? (pkg?.module ?? pkg?.main ?? 'index') : subpath);
  return resolveFile(resolve(dir, target));
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
export function resolveSpecifier(specifier: string, from: string): Resolved | undefined {
  if (isBuiltin(specifier)) return undefined;
  if (specifier.startsWith('file:')) specifier = fileURLToPath(specifier);
  if (specifier.startsWith('.') || isAbsolute(specifier)) {
    const file = resolveFile(resolve(dirname(from), specifier));
    return file ? { kind: 'module', file } : undefined;
  }
  const [name, subpath] = splitBare(specifier);
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) {
      const real = realpathSync.native(candidate);
      if (!inNodeModules(real)) {
        const file = packageEntryFile(real, subpath);
        return file ? { kind: 'module', file } : undefined;
      }
      return { kind: 'package', name, version: readPackageJson(real)?.version ?? 'unknown', dir: real };
    }
    if (dirname(dir) === dir) return undefined;
  }
}
