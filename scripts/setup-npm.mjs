// Step 1 of setup: npm dependencies, installed with scripts disabled (.npmrc ignore-scripts=true) so
// tfjs-node's download script cannot break the install. Node builtins only.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { log, readJson, repoRoot, run, sha256, stateDir, tail, warn, writeJson } from './setup-util.mjs';

const STEP = 'npm';
const stampPath = join(stateDir, 'npm.json');
const nodeModules = join(repoRoot, 'node_modules');

function manifestFiles() {
  const files = [join(repoRoot, 'package.json'), join(repoRoot, 'package-lock.json')];
  for (const dir of ['packages', 'experiments']) {
    const root = join(repoRoot, dir);
    if (!existsSync(root)) continue;
    if (existsSync(join(root, 'package.json'))) files.push(join(root, 'package.json'));
    for (const name of readdirSync(root)) {
      const manifest = join(root, name, 'package.json');
      if (existsSync(manifest)) files.push(manifest);
    }
  }
  return files.filter((file) => existsSync(file));
}

function fingerprint() {
  return sha256(...manifestFiles().map((file) => `${file}\n${readFileSync(file, 'utf8')}`));
}

/** npm's own freshness rule: its hidden lockfile is newer than every manifest. */
function npmConsidersFresh() {
  const hidden = join(nodeModules, '.package-lock.json');
  if (!existsSync(hidden)) return false;
  const installedAt = statSync(hidden).mtimeMs;
  return manifestFiles().every((file) => statSync(file).mtimeMs <= installedAt);
}

function npm(args) {
  const npmCli = process.env.npm_execpath?.endsWith('.js') ? process.env.npm_execpath : undefined;
  const [cmd, pre] = npmCli ? [process.execPath, [npmCli]] : ['npm', []];
  return run(cmd, [...pre, ...args, '--ignore-scripts', '--no-audit', '--no-fund'], { timeoutMs: 1_800_000 });
}

/** True when node_modules matches the manifests (read-only; for `setup.mjs --check`). */
export function nodeModulesFresh() {
  return (
    existsSync(nodeModules) && (readJson(stampPath)?.fingerprint === fingerprint() || npmConsidersFresh())
  );
}

export function ensureNodeModules() {
  const current = fingerprint();
  if (existsSync(nodeModules) && readJson(stampPath)?.fingerprint === current) {
    log(STEP, 'dependencies up to date');
    return;
  }
  if (existsSync(nodeModules) && npmConsidersFresh()) {
    writeJson(stampPath, { fingerprint: current });
    log(STEP, 'dependencies up to date');
    return;
  }
  const fresh = !existsSync(nodeModules);
  log(STEP, fresh ? 'npm ci (first install, ~1-2 min)' : 'manifests changed: npm install');
  let result = npm(fresh ? ['ci'] : ['install']);
  if (!result.ok && fresh) {
    const reason =
      result.output.split('\n').find((line) => /npm error (?!code)\S/.test(line)) ?? 'see npm ci';
    // Not silent: `npm install` may resolve other versions than the lock, so the install is no longer
    // the reproducible one. The usual cause is a package.json edited without updating the lock.
    warn(STEP, `npm ci FAILED: ${reason.replace('npm error ', '').slice(0, 300)}`);
    warn(
      STEP,
      'falling back to `npm install` (versions may differ from package-lock.json); fix: run ' +
        '`npm install --package-lock-only --ignore-scripts` and commit package-lock.json',
    );
    result = npm(['install']);
  }
  if (!result.ok) {
    throw new Error(`npm ${fresh ? 'ci' : 'install'} failed:\n${tail(result.output)}`);
  }
  writeJson(stampPath, { fingerprint: fingerprint() });
  log(STEP, `installed in ${result.seconds.toFixed(0)} s`);
}
