import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CliCommand } from '../../contract.ts';
import { SerxError } from '../../errors.ts';
import { parseCommandArgs, usageError } from '../args.ts';
import { line } from '../context.ts';
import { printUsage } from '../context-print.ts';

const usage = 'serx setup [--force-tf] [--check]';

/** The folder of the installed package `name` seen from `fromDir` (node_modules lookup upwards). */
export function installedPackageDir(name: string, fromDir: string): string | undefined {
  for (let dir = resolve(fromDir); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Runs `node <args>` with the terminal attached; resolves with its exit status. */
function runNode(args: string[], cwd: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise(code ?? 1));
  });
}

interface BackendProvisioning {
  ensureBackend(options: { force?: boolean; retry?: string }): Promise<void>;
  backendReady(): { ok: boolean; detail: string };
}

/**
 * `serx setup`: what the serx repo's scripts/setup.mjs does for a study that installed serx — build the
 * MFCC C kernel of @serx/stage-features and make the native TensorFlow backend of @serx/tf-backend
 * work (PyPI-wheel route, wasm fallback), both for the copies npm installed here. The logic is the
 * packages' own (native/build.mjs, provision/backend.mjs), shared with the repo's setup.
 */
export const setupCommand: CliCommand = {
  name: 'setup',
  summary:
    'provision native parts of the installed serx: the MFCC C kernel and native TensorFlow (wasm fallback)',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        'force-tf': { type: 'boolean' },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      usage,
    );
    if (values.help) return printUsage(io, usage);
    if (positionals.length > 0) throw usageError('setup takes no positional arguments', usage);
    const features = installedPackageDir('@serx/stage-features', io.cwd);
    const tfBackend = installedPackageDir('@serx/tf-backend', io.cwd);
    if (!features && !tfBackend) {
      throw new SerxError(
        'ENVIRONMENT',
        `neither @serx/stage-features nor @serx/tf-backend is installed under ${io.cwd}: run \`npm install @serx/stage-features @serx/stage-ser\` (or \`serx init\`) first`,
      );
    }
    const backend = tfBackend
      ? ((await import(
          pathToFileURL(join(tfBackend, 'provision', 'backend.mjs')).href
        )) as BackendProvisioning)
      : undefined;
    if (values.check) {
      const kernel = features && existsSync(join(features, 'native', 'build', 'mfcc-kernel.node'));
      const ready = backend?.backendReady();
      line(
        io.stdout,
        `mfcc kernel: ${kernel ? 'built' : 'NEEDS SETUP (or no C compiler: the JS pipeline is used)'}`,
      );
      line(
        io.stdout,
        `tensorflow: ${!backend ? 'not installed' : ready?.ok ? `ok (${ready.detail})` : `NEEDS SETUP (${ready?.detail})`}`,
      );
      return kernel && (ready?.ok ?? true) ? 0 : 1;
    }
    if (features) {
      // build.mjs exits 0 and says so when no compiler exists: features:mfcc then runs its JS pipeline.
      const status = await runNode([join(features, 'native', 'build.mjs')], io.cwd);
      if (status !== 0)
        line(io.stderr, 'mfcc kernel: build failed; features:mfcc uses its JavaScript pipeline');
    }
    if (backend)
      await backend.ensureBackend({ force: values['force-tf'] ?? false, retry: 'serx setup --force-tf' });
    line(io.stdout, 'serx setup: done (`serx doctor` shows the backend)');
    return 0;
  },
};
