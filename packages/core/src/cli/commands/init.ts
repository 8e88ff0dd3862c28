import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { CliCommand } from '../../contract.ts';
import { SerxError } from '../../errors.ts';
import { parseCommandArgs, usageError } from '../args.ts';
import { line } from '../context.ts';
import { printUsage } from '../context-print.ts';
import {
  GITIGNORE,
  NPMRC,
  PLUGIN_INDEX,
  readme,
  SERX_PACKAGES,
  studySpec,
  WIDE_CNN,
} from './init-templates.ts';

const usage = 'serx init [dir] [--corpora <path>]';

function serxVersion(): string {
  const manifest = new URL('../../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

interface Manifest {
  name?: string;
  private?: boolean;
  type?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * The study's package.json: created, or (in a folder where serx was just `npm install`ed) completed
 * with the serx packages it lacks; dependencies already there (a version, a tarball) are kept.
 */
function studyManifest(dir: string, existing: Manifest | undefined): Manifest {
  const version = `^${serxVersion()}`;
  const dependencies = { ...existing?.dependencies };
  for (const name of SERX_PACKAGES) dependencies[name] ??= version;
  return {
    name:
      existing?.name ??
      basename(dir)
        .toLowerCase()
        .replace(/[^a-z0-9-._]/g, '-'),
    private: existing?.private ?? true,
    ...existing,
    type: 'module',
    scripts: { setup: 'serx setup', study: 'serx run experiments/study.yaml', ...existing?.scripts },
    dependencies,
  };
}

/**
 * The package.json already in the folder. Refused (before anything is written) when it is not a
 * JSON object, or when it declares `"type"` other than `"module"`: the study's plugin and spec
 * scaffold need ES modules, and switching a package's module type changes how every `.js` file
 * in it loads, so that is the user's decision, not a side effect of init.
 */
function readManifest(path: string): Manifest {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new SerxError(
      'USAGE',
      `${path} is not valid JSON (${(cause as Error).message}); fix it (or move it away) and run serx init again — it adds the serx dependencies to it`,
      { cause },
    );
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest))
    throw new SerxError(
      'USAGE',
      `${path} is not a JSON object; fix it (or move it away) and run serx init again`,
    );
  const type = (manifest as Manifest).type;
  if (type !== undefined && type !== 'module')
    throw new SerxError(
      'USAGE',
      `${path} has "type": ${JSON.stringify(type)}; the study serx init scaffolds is ES modules and needs "type": "module". Changing it changes how every .js file of this package loads (require → import), so serx init leaves that to you: set "type": "module" in ${path} if that is fine, or init the study in a subfolder (serx init study)`,
    );
  return manifest as Manifest;
}

/** What init changes in an existing package.json, for its report. */
function manifestChanges(existing: Manifest): string[] {
  const changes: string[] = [];
  const added = SERX_PACKAGES.filter((name) => existing.dependencies?.[name] === undefined);
  if (added.length > 0) changes.push(`added dependencies ${added.join(', ')}`);
  if (existing.type === undefined) changes.push('set "type": "module"');
  const scripts = ['setup', 'study'].filter((name) => existing.scripts?.[name] === undefined);
  if (scripts.length > 0) changes.push(`added scripts ${scripts.join(', ')}`);
  if (existing.name === undefined) changes.push('set "name"');
  if (existing.private === undefined) changes.push('set "private": true');
  return changes.length > 0 ? changes : ['nothing to change'];
}

/** `serx init [dir]`: scaffolds a study repository (like `kedro new` / `dvc init`). */
export const initCommand: CliCommand = {
  name: 'init',
  summary: 'scaffold a study: package.json, experiments/study.yaml, a local plugin, .gitignore, README',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      { corpora: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      usage,
    );
    if (values.help) return printUsage(io, usage);
    if (positionals.length > 1) throw usageError('init takes at most one directory', usage);
    const dir = resolve(io.cwd, positionals[0] ?? '.');
    const experiments = join(dir, 'experiments');
    // The spec resolves paths relative to itself; default: a corpora/ folder beside the study.
    const corpora = !values.corpora
      ? '../corpora'
      : isAbsolute(values.corpora)
        ? values.corpora
        : relative(experiments, resolve(io.cwd, values.corpora)) || '.';
    const files: [string, string][] = [
      ['experiments/study.yaml', studySpec(corpora)],
      ['plugins/my-encoders/wide-cnn.ts', WIDE_CNN],
      ['plugins/my-encoders/index.ts', PLUGIN_INDEX],
      ['.gitignore', GITIGNORE],
      ['README.md', readme(basename(dir))],
    ];
    const clashes = files.map(([path]) => path).filter((path) => existsSync(join(dir, path)));
    if (clashes.length > 0) {
      throw new SerxError(
        'USAGE',
        `${dir} already has ${clashes.join(', ')}; serx init only creates new files (move them away or pick another dir)`,
      );
    }
    // An .npmrc the user already has is theirs; ours only turns install scripts off.
    if (!existsSync(join(dir, '.npmrc'))) files.push(['.npmrc', NPMRC]);
    const manifestPath = join(dir, 'package.json');
    const existing = existsSync(manifestPath) ? readManifest(manifestPath) : undefined;
    files.push(['package.json', `${JSON.stringify(studyManifest(dir, existing), null, 2)}\n`]);
    for (const [path, text] of files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
      line(
        io.stdout,
        path === 'package.json' && existing
          ? `updated ${path}: ${manifestChanges(existing).join(', ')}`
          : `created ${path}`,
      );
    }
    const cd = positionals[0] ? `cd ${positionals[0]} && ` : '';
    line(io.stdout, `\nnext: ${cd}npm install && npx serx setup && npx serx run experiments/study.yaml`);
    return 0;
  },
};
