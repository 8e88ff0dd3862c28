#!/usr/bin/env node
// Provisions openSMILE for `features:opensmile` (opt-in: audEERING's research licence, non-commercial
// use only): `pip download` of the `opensmile` wheel from PyPI into the wheel cache, libSMILEapi and
// the feature-set configs extracted into the serx cache, the N-API addon (opensmile-addon.c) built
// against the running Node's headers, verified on a synthetic signal, and the licence's first lines
// printed. Idempotent. Node builtins only (the repo's scripts/setup.mjs runs it; so does
// `serx setup --with opensmile` through src/opensmile/provision.ts).
//
//   node packages/stage-features/native/opensmile.mjs [--force] [--quiet] [--check]
//
//   SERX_OPENSMILE_HOME   where the library and configs go (default ~/.cache/serx/opensmile-<version>)
//   SERX_WHEEL_CACHE      where the wheel is cached (default ~/.cache/serx/wheels)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The pinned wheel: its library and configs are what `features:opensmile` computes with. */
export const OPENSMILE = { name: 'opensmile', version: '2.6.0' };

const here = dirname(fileURLToPath(import.meta.url));
const cacheRoot = process.env.SERX_CACHE_HOME ?? join(homedir(), '.cache', 'serx');
const wheelCache = process.env.SERX_WHEEL_CACHE ?? join(cacheRoot, 'wheels');
const STEP = 'opensmile';

/** Where the library, configs and licence live, and the addon that calls them. */
export function opensmilePaths() {
  const home = process.env.SERX_OPENSMILE_HOME ?? join(cacheRoot, `opensmile-${OPENSMILE.version}`);
  return {
    home,
    wheels: wheelCache,
    manifest: join(home, 'manifest.json'),
    library: join(home, 'lib', libraryName()),
    configs: join(home, 'config'),
    licence: join(home, 'LICENSE'),
    addon: join(here, 'build', 'opensmile-addon.node'),
    addonSource: join(here, 'opensmile-addon.c'),
    addonStamp: join(here, 'build', 'opensmile-stamp.json'),
  };
}

function libraryName() {
  return process.platform === 'darwin' ? 'libSMILEapi.dylib' : 'libSMILEapi.so';
}

/** The wheel's platform folder (opensmile-python's `platform_name()`), or undefined when none is shipped. */
function wheelPlatform() {
  const arch = { x64: 'x86_64', arm64: process.platform === 'darwin' ? 'arm64' : 'aarch64' }[process.arch];
  if (!arch) return undefined;
  if (process.platform === 'linux') return `manylinux_2_17_${arch}`;
  if (process.platform === 'darwin') return arch === 'x86_64' ? 'macosx_10_4_x86_64' : 'macosx_11_0_arm64';
  return undefined;
}

/** Read-only state: `{ ok, detail, version?, home? }` (for `--check`, `serx setup --check`, doctor). */
export function opensmileState() {
  const paths = opensmilePaths();
  const manifest = readJson(paths.manifest);
  if (!manifest || manifest.version !== OPENSMILE.version || !existsSync(paths.library))
    return { ok: false, detail: 'not provisioned' };
  if (!addonCurrent(paths)) return { ok: false, detail: `library in ${paths.home}, addon not built` };
  return {
    ok: true,
    version: manifest.version,
    home: paths.home,
    detail: `openSMILE ${manifest.version} in ${paths.home} (audEERING research licence, non-commercial)`,
  };
}

/**
 * Does the whole step; resolves when openSMILE works, throws `Error` with what failed and how to fix
 * it otherwise (there is no fallback: the stage needs the real library).
 */
export function ensureOpensmile({ force = false, quiet = false } = {}) {
  const say = (message) => quiet || console.log(`[serx setup] ${STEP}: ${message}`);
  const paths = opensmilePaths();
  const platform = wheelPlatform();
  if (!platform)
    throw new Error(`the ${OPENSMILE.name} wheel ships no library for ${process.platform}/${process.arch}`);
  const current = readJson(paths.manifest);
  const fresh = force || current?.version !== OPENSMILE.version || !existsSync(paths.library);
  if (fresh) {
    const wheel = downloadWheel(platform, say);
    extract(wheel, platform, paths, say);
  }
  const built = buildAddon(paths, force, say);
  if (!fresh && !built) {
    say(
      `up to date (${OPENSMILE.version} in ${paths.home}; audEERING research licence, non-commercial: ${paths.licence})`,
    );
    return;
  }
  const check = verify(paths);
  if (!check.ok) throw new Error(`the openSMILE addon does not run:\n${check.output}`);
  say(`ready: ${check.detail}`);
  if (fresh) printLicence(paths, quiet);
}

function findWheel() {
  if (!existsSync(wheelCache)) return undefined;
  const prefix = `${OPENSMILE.name}-${OPENSMILE.version}-`;
  const platform = wheelPlatform();
  const file = readdirSync(wheelCache).find((f) => f.startsWith(prefix) && f.endsWith(`${platform}.whl`));
  return file && join(wheelCache, file);
}

function downloadWheel(platform, say) {
  const cached = findWheel();
  if (cached) return cached;
  mkdirSync(wheelCache, { recursive: true });
  const python = pipPython();
  say(`downloading ${OPENSMILE.name}==${OPENSMILE.version} from PyPI into ${wheelCache} (~1 MB)`);
  // The library does not link libpython: any local Python can fetch the one platform wheel.
  const result = run(python, [
    '-m',
    'pip',
    'download',
    '--no-deps',
    '--only-binary=:all:',
    '--platform',
    platform,
    '-d',
    wheelCache,
    `${OPENSMILE.name}==${OPENSMILE.version}`,
  ]);
  const wheel = findWheel();
  if (!result.ok || !wheel)
    throw new Error(
      `pip download of ${OPENSMILE.name}==${OPENSMILE.version} failed:\n${tail(result.output)}\n` +
        `  check that PyPI is reachable, or put the wheel into ${wheelCache} (SERX_WHEEL_CACHE)`,
    );
  return wheel;
}

/** Library, configs and licence from the wheel into the home folder, atomically (temp dir + rename). */
function extract(wheel, platform, paths, say) {
  const staging = `${paths.home}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  const script = [
    'import json, os, shutil, sys, zipfile',
    'wheel, platform, lib, out = sys.argv[1:5]',
    'z = zipfile.ZipFile(wheel)',
    'names = z.namelist()',
    "library = f'opensmile/core/bin/{platform}/{lib}'",
    "licence = next(n for n in names if n.endswith('.dist-info/licenses/LICENSE') or n.endswith('.dist-info/LICENSE'))",
    "configs = [n for n in names if n.startswith('opensmile/core/config/') and not n.endswith('/')]",
    'def put(name, target):',
    '    os.makedirs(os.path.dirname(target), exist_ok=True)',
    "    with z.open(name) as src, open(target, 'wb') as dst: shutil.copyfileobj(src, dst)",
    "put(library, os.path.join(out, 'lib', lib))",
    "put(licence, os.path.join(out, 'LICENSE'))",
    "for n in configs: put(n, os.path.join(out, 'config', n[len('opensmile/core/config/'):]))",
    'print(json.dumps(len(configs)))',
  ].join('\n');
  const result = run(systemPython(), ['-c', script, wheel, platform, libraryName(), staging]);
  if (!result.ok) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`extracting ${wheel} failed:\n${tail(result.output)}`);
  }
  const library = readFileSync(join(staging, 'lib', libraryName()));
  const manifest = {
    name: OPENSMILE.name,
    version: OPENSMILE.version,
    wheel: wheel.split('/').pop(),
    platform,
    librarySha256: createHash('sha256').update(library).digest('hex'),
    configs: Number(result.stdout.trim()),
  };
  writeFileSync(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  rmSync(paths.home, { recursive: true, force: true });
  mkdirSync(dirname(paths.home), { recursive: true });
  renameSync(staging, paths.home);
  say(`extracted libSMILEapi and ${manifest.configs} configs into ${paths.home}`);
}

const FLAGS = ['-O2', '-std=c11', '-fPIC', '-shared', '-D_GNU_SOURCE'];

function stampOf(paths) {
  return createHash('sha256')
    .update(readFileSync(paths.addonSource))
    .update(JSON.stringify({ flags: FLAGS, abi: process.versions.modules, napi: process.versions.napi }))
    .digest('hex');
}

function addonCurrent(paths) {
  return existsSync(paths.addon) && readJson(paths.addonStamp)?.stamp === stampOf(paths);
}

/** The addon, with the system C compiler against the running Node's headers (as build.mjs does the MFCC kernel). */
function buildAddon(paths, force, say) {
  if (!force && addonCurrent(paths)) return false;
  const headers = join(dirname(dirname(process.execPath)), 'include', 'node');
  const cc = ['cc', 'gcc', 'clang'].find((c) => spawnSync(c, ['--version']).status === 0);
  if (!cc)
    throw new Error(
      'no C compiler (cc, gcc or clang) to build the openSMILE addon; install one, e.g. apt-get install gcc',
    );
  if (!existsSync(join(headers, 'node_api.h')))
    throw new Error(`no Node headers in ${headers} to build the openSMILE addon`);
  mkdirSync(dirname(paths.addon), { recursive: true });
  const partial = `${paths.addon}.${process.pid}.tmp`;
  const libs = process.platform === 'linux' ? ['-ldl', '-lpthread'] : [];
  const undefinedOk = process.platform === 'darwin' ? ['-undefined', 'dynamic_lookup'] : [];
  const result = run(cc, [
    ...FLAGS,
    ...undefinedOk,
    `-I${headers}`,
    paths.addonSource,
    '-o',
    partial,
    ...libs,
  ]);
  if (!result.ok) throw new Error(`${cc} failed to build the openSMILE addon:\n${tail(result.output)}`);
  renameSync(partial, paths.addon);
  writeFileSync(
    paths.addonStamp,
    `${JSON.stringify({ stamp: stampOf(paths), cc, flags: FLAGS }, null, 2)}\n`,
  );
  say(`built ${paths.addon} (${cc})`);
  return true;
}

/** eGeMAPSv02 functionals of one second of a synthetic vowel, in a child process (a crash stays there). */
function verify(paths) {
  const script = `
    const a = require(${JSON.stringify(paths.addon)});
    a.open(${JSON.stringify(paths.library)});
    const c = ${JSON.stringify(`${paths.configs}/`)};
    const options = ['source', c + 'shared/standard_external_wave_input.conf.inc',
      'sink', c + 'shared/standard_external_data_output_single.conf.inc', 'sinkLevel', 'func',
      'bufferModeRbConf', c + 'shared/BufferModeRb.conf.inc',
      'frameModeFunctionalsConf', c + 'shared/FrameModeFunctionals.conf.inc', 'sampleRate', '16000', 'nBits', '16'];
    const pcm = new Int16Array(16000);
    for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(6000 * Math.sin(2 * Math.PI * 150 * i / 16000));
    const r = a.extract(c + 'egemaps/v02/eGeMAPSv02.conf', options, pcm);
    if (r.frames !== 1 || r.dims !== 88 || !r.data.every(Number.isFinite)) throw new Error('unexpected output ' + r.frames + 'x' + r.dims);
    console.log('eGeMAPSv02 functionals of a test tone: ' + r.frames + ' x ' + r.dims + ' values');`;
  const result = run(process.execPath, ['-e', script]);
  return { ok: result.ok, output: tail(result.output), detail: result.stdout.trim().split('\n').pop() };
}

/** The licence's header and first terms: the user accepts them by provisioning. */
function printLicence(paths, quiet) {
  const lines = readFileSync(paths.licence, 'utf8').split('\n');
  const end = lines.findIndex((l) => /non-commercial purpose/i.test(l));
  const head = lines.slice(0, end < 0 ? 30 : end + 2).filter((l, i, all) => l.trim() || all[i - 1]?.trim());
  const print = quiet ? (s) => console.error(s) : (s) => console.log(s);
  print(`[serx setup] ${STEP}: openSMILE is under audEERING's research licence (non-commercial use only):`);
  for (const line of head) print(`    ${line}`);
  print(`    [... the full text: ${paths.licence}]`);
}

function pipPython() {
  const python = systemPython();
  if (run(python, ['-m', 'pip', '--version']).ok) return python;
  throw new Error(
    `${python} has no pip; install it (e.g. apt-get install python3-pip) or put the wheel into ${wheelCache}`,
  );
}

function systemPython() {
  for (const candidate of ['python3', 'python']) if (run(candidate, ['--version']).ok) return candidate;
  throw new Error(
    'python3 is not installed (pip downloads the openSMILE wheel); install it, e.g. apt-get install python3',
  );
}

function run(cmd, args) {
  const result = spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  return {
    ok: result.status === 0 && !result.error,
    stdout: result.stdout ?? '',
    output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`,
  };
}

function tail(output, n = 15) {
  return output
    .trimEnd()
    .split('\n')
    .slice(-n)
    .map((line) => `    ${line}`)
    .join('\n');
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = new Set(process.argv.slice(2));
  if (args.has('--check')) {
    const state = opensmileState();
    console.log(`[serx setup] ${STEP}: ${state.ok ? 'ok' : 'NEEDS SETUP'} (${state.detail})`);
    process.exit(state.ok ? 0 : 1);
  }
  try {
    ensureOpensmile({ force: args.has('--force'), quiet: args.has('--quiet') });
  } catch (error) {
    console.error(`[serx setup] ${STEP}: FAILED: ${error.message}`);
    process.exit(1);
  }
}
