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
    const existing = existsSync(manifestPath)
      ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest)
      : undefined;
    files.push(['package.json', `${JSON.stringify(studyManifest(dir, existing), null, 2)}\n`]);
    for (const [path, text] of files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
      line(
        io.stdout,
        `created ${path}${path === 'package.json' && existing ? ' (serx dependencies added)' : ''}`,
      );
    }
    const cd = positionals[0] ? `cd ${positionals[0]} && ` : '';
    line(io.stdout, `\nnext: ${cd}npm install && npx serx setup && npx serx run experiments/study.yaml`);
    return 0;
  },
};
