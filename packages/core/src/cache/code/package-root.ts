import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { readPackageJson } from './resolve-specifier.ts';

const roots = new Map<string, string | undefined>();

/** The nearest directory at or above `dir` with a package.json. */
export function packageRoot(dir: string): string | undefined {
  if (!roots.has(dir)) {
    const parent = dirname(dir);
    roots.set(
      dir,
      existsSync(join(dir, 'package.json')) ? dir : parent === dir ? undefined : packageRoot(parent),
    );
  }
  return roots.get(dir);
}

/** The nearest directory at or above `dir` whose package.json declares `workspaces`. */
function workspaceRoot(dir: string): string | undefined {
  for (let root = packageRoot(dir); root; root = packageRoot(dirname(root))) {
    if (readPackageJson(root)?.workspaces) return root;
    if (dirname(root) === root) return undefined;
  }
  return undefined;
}

const posix = (path: string) => path.split(sep).join('/');

/**
 * How a source file is named in keys and messages, the same on every clone: relative to the
 * workspace root (`packages/stage-autoencoder/src/structures/parry-cnn.ts`), else to its package
 * (`my-plugin/wide-cnn.ts`), else the absolute path.
 */
export function sourceLabel(file: string): string {
  let label = labels.get(file);
  if (label === undefined) {
    label = labelOf(file);
    labels.set(file, label);
  }
  return label;
}

const labels = new Map<string, string>();

function labelOf(file: string): string {
  const workspace = workspaceRoot(dirname(file));
  if (workspace) return posix(relative(workspace, file));
  const pkg = packageRoot(dirname(file));
  const name = pkg ? readPackageJson(pkg)?.name : undefined;
  return pkg && name ? `${name}/${posix(relative(pkg, file))}` : posix(file);
}

const TEST_DIRS = new Set(['test', 'tests', '__tests__', 'bench', 'benches', 'benchmark', 'benchmarks']);

/**
 * Tests and benches never change a stage's outputs, so they stay out of the key even when a stage
 * module imports one: files named `*.test.*`, `*.spec.*`, `*.bench.*`, and anything under a
 * `test/`, `tests/`, `__tests__/` or `bench/` folder of its package.
 */
export function isTestOrBench(file: string): boolean {
  let skip = skipped.get(file);
  if (skip === undefined) {
    skip = testOrBench(file);
    skipped.set(file, skip);
  }
  return skip;
}

const skipped = new Map<string, boolean>();

function testOrBench(file: string): boolean {
  const pkg = packageRoot(dirname(file));
  const parts = posix(pkg ? relative(pkg, file) : file).split('/');
  const name = parts.pop() as string;
  return /\.(test|spec|bench)\.[cm]?[jt]sx?$/.test(name) || parts.some((p) => TEST_DIRS.has(p));
}
