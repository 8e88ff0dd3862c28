#!/usr/bin/env node
// Packs the publishable serx packages into tarballs, the way npm would publish them:
//
//   node scripts/pack.mjs [--out <dir>] [--no-build] [--json]
//
// The workspace manifests point `exports` at ./src/*.ts (tests and core's TypeScript loader run the sources, no build step
// between an edit and a test; the code fingerprint hashes the sources). So each package is staged in
// a temp directory with a rewritten manifest (exports → dist/ with types, no `private`, workspace
// `*` ranges → the released version, @serx/core a peer dependency of the plugins, engines, licence)
// and only what a user needs: dist/, README.md, LICENSE (+ bin/ for core, the MFCC kernel's C source
// and build script for stage-features). Node builtins only.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENGINES = { node: '>=20' };
const LICENSE = 'MIT';
/** Extra paths (besides dist/, README.md, LICENSE) a package ships. */
const EXTRA_FILES = {
  '@serx/core': ['bin/serx.mjs'],
  '@serx/tf-backend': ['provision'],
  '@serx/stage-features': [
    'native/mfcc-kernel.c',
    'native/build.mjs',
    'native/opensmile-addon.c',
    'native/opensmile.mjs',
  ],
};

/** The workspace packages that have a build (tsconfig.build.json), by name. */
export function publishablePackages() {
  const dir = join(repoRoot, 'packages');
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'tsconfig.build.json')))
    .map((name) => {
      const root = join(dir, name);
      return { root, project: name, manifest: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) };
    });
}

/** The manifest as published: see the header comment. */
export function publishedManifest(manifest, versions) {
  const {
    private: _private,
    devDependencies: _dev,
    scripts: _scripts,
    exports: _exports,
    ...rest
  } = manifest;
  const pin = (deps = {}) =>
    Object.fromEntries(
      Object.entries(deps).map(([name, range]) => [
        name,
        versions[name] && range === '*' ? `^${versions[name]}` : range,
      ]),
    );
  const dependencies = pin(manifest.dependencies);
  const peerDependencies = pin(manifest.peerDependencies);
  if (manifest.name !== '@serx/core' && dependencies['@serx/core']) {
    peerDependencies['@serx/core'] = dependencies['@serx/core'];
    delete dependencies['@serx/core'];
  }
  const extra = EXTRA_FILES[manifest.name] ?? [];
  return {
    ...rest,
    license: LICENSE,
    engines: ENGINES,
    exports: {
      '.': { types: './dist/index.d.ts', import: './dist/index.js' },
      // subpaths (`./plugin`: the plugin module alone, which core loads instead of the library barrel)
      ...Object.fromEntries(
        Object.entries(_exports ?? {})
          .filter(([key, target]) => key !== '.' && typeof target === 'string' && target.startsWith('./src/'))
          .map(([key, target]) => {
            // a plain-JS entry (the TypeScript loader) is copied to dist/ as it is, without types
            if (target.endsWith('.mjs')) return [key, target.replace(/^\.\/src\//, './dist/')];
            const built = target.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, '');
            return [key, { types: `${built}.d.ts`, import: `${built}.js` }];
          }),
      ),
      './package.json': './package.json',
    },
    types: './dist/index.d.ts',
    files: ['dist', ...extra],
    dependencies,
    ...(Object.keys(peerDependencies).length ? { peerDependencies } : {}),
  };
}

function stage(pkg, versions, into) {
  const dir = join(into, pkg.project);
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(pkg.root, 'dist', 'index.js'))) {
    throw new Error(`${pkg.manifest.name}: no dist/index.js (run without --no-build)`);
  }
  cpSync(join(pkg.root, 'dist'), join(dir, 'dist'), { recursive: true });
  for (const file of EXTRA_FILES[pkg.manifest.name] ?? []) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(pkg.root, file), join(dir, file), { recursive: true });
  }
  if (pkg.manifest.name === '@serx/core') precompileValidators(join(dir, 'dist', 'validators'));
  cpSync(join(pkg.root, 'README.md'), join(dir, 'README.md'));
  cpSync(join(repoRoot, 'LICENSE'), join(dir, 'LICENSE'));
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify(publishedManifest(pkg.manifest, versions), null, 2)}\n`,
  );
  return dir;
}

/**
 * ajv's compiled code for the default plugins' params schemas and the executor settings, shipped in
 * core's dist/validators/ (plugins/validators.ts looks there before the user cache): a fresh install's
 * first run compiles none of them, as long as npm installs the ajv version they were compiled with
 * (the version is in each one's key; another version compiles and keeps its own). Made by a run of
 * a spec with the plugin packages and no stage, in a user cache of its own.
 */
function precompileValidators(into) {
  const home = mkdtempSync(join(tmpdir(), 'serx-validators-'));
  try {
    const spec = join(home, 'empty.yaml');
    // the plugin packages (those with a `./plugin` export: the default plugins), no stage
    const plugins = publishablePackages()
      .filter((p) => p.manifest.exports?.['./plugin'])
      .map((p) => p.manifest.name);
    writeFileSync(spec, `name: validators\nplugins: ${JSON.stringify(plugins)}\nstages: {}\n`);
    const result = spawnSync(
      process.execPath,
      [join(repoRoot, 'packages/core/bin/serx.mjs'), 'run', spec, '--cache', join(home, 'cache')],
      { cwd: home, encoding: 'utf8', env: { ...process.env, SERX_CACHE_HOME: home } },
    );
    if (result.status !== 0)
      throw new Error(`compiling the validators failed:\n${result.stdout}${result.stderr}`);
    mkdirSync(into, { recursive: true });
    for (const file of readdirSync(join(home, 'validators')).filter((f) => f.endsWith('.cjs')))
      cpSync(join(home, 'validators', file), join(into, file));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

function build(projects) {
  const nx = join(repoRoot, 'node_modules', 'nx', 'bin', 'nx.js');
  const result = spawnSync(
    process.execPath,
    [nx, 'run-many', '-t', 'build', `--projects=${projects.join(',')}`, '--outputStyle=static'],
    { cwd: repoRoot, stdio: ['ignore', 2, 2], env: { ...process.env, NX_DAEMON: 'false' } },
  );
  if (result.status !== 0) throw new Error('the build failed (see above)');
}

/** Builds (unless `noBuild`) and packs every publishable package into `out`; returns npm's reports. */
export function packAll({ out, noBuild = false, log = console.error } = {}) {
  const packages = publishablePackages();
  if (!noBuild) build(packages.map((p) => p.project));
  const versions = Object.fromEntries(packages.map((p) => [p.manifest.name, p.manifest.version]));
  const staging = mkdtempSync(join(tmpdir(), 'serx-pack-'));
  mkdirSync(out, { recursive: true });
  try {
    return packages.map((pkg) => {
      const dir = stage(pkg, versions, staging);
      const result = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], {
        cwd: dir,
        encoding: 'utf8',
      });
      if (result.status !== 0) throw new Error(`npm pack of ${pkg.manifest.name} failed:\n${result.stderr}`);
      const [report] = JSON.parse(result.stdout);
      log(`packed ${report.filename} (${(report.size / 1024).toFixed(0)} kB, ${report.entryCount} files)`);
      return { ...report, tarball: join(out, report.filename) };
    });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const out = resolve(outAt >= 0 ? args[outAt + 1] : join(tmpdir(), 'serx-packs'));
  try {
    const reports = packAll({ out, noBuild: args.includes('--no-build') });
    if (args.includes('--json')) console.log(JSON.stringify(reports, null, 2));
    else console.error(`tarballs in ${out}`);
  } catch (error) {
    console.error(`pack: ${error.message}`);
    process.exitCode = 1;
  }
}
