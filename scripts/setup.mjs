#!/usr/bin/env node
// serx bootstrap, run by `npm test`, `npm run paper` and `npm run bench` before anything else.
// Node builtins only (it runs before node_modules exists). Every step is idempotent and cheap when
// already done.
//
//   node scripts/setup.mjs [--force-tf] [--quiet] [--check]
//
//   --force-tf          re-provision the native TensorFlow backend
//   --quiet             print warnings and errors only
//   --check             change nothing: report each step's state, exit 1 when one needs work
//   SERX_SKIP_TF=1      skip the TensorFlow step
//   SERX_SKIP_OPENSMILE=1  skip openSMILE (the repo's tests and paper.yaml's eGeMAPS rows need it;
//                       `serx setup` in a study provisions it only with `--with opensmile`)
//   SERX_WHEEL_CACHE    where the tensorflow-cpu wheel is cached (default ~/.cache/serx/wheels)
import { ensureOpensmile, opensmileState } from '../packages/stage-features/native/opensmile.mjs';
import { backendReady, ensureBackend } from '../packages/tf-backend/provision/backend.mjs';
import { acquireSetupLock } from './setup-lock.mjs';
import { ensureNodeModules, nodeModulesFresh } from './setup-npm.mjs';
import { log, run, setQuiet, updateState, warn } from './setup-util.mjs';
import { ensureMlflowVenv, mlflowVenvReady } from './setup-venv.mjs';

const args = new Set(process.argv.slice(2));
for (const arg of args) {
  if (!['--force-tf', '--quiet', '--check'].includes(arg)) {
    console.error(
      `usage: node scripts/setup.mjs [--force-tf] [--quiet] [--check]  (unknown argument ${arg})`,
    );
    process.exit(2);
  }
}
if (args.has('--check')) {
  const backend = backendReady();
  const smile = opensmileState();
  const steps = [
    ['npm', nodeModulesFresh(), 'node_modules matches the manifests'],
    ['tensorflow', backend.ok || process.env.SERX_SKIP_TF === '1', backend.detail],
    ['opensmile', smile.ok || process.env.SERX_SKIP_OPENSMILE === '1', smile.detail],
    ['mlflow venv', mlflowVenvReady(), '.venv has the pinned mlflow'],
  ];
  for (const [name, ok, detail] of steps)
    console.log(`[serx setup] ${name}: ${ok ? 'ok' : 'NEEDS SETUP'} (${detail})`);
  process.exit(steps.every(([, ok]) => ok) ? 0 : 1);
}
setQuiet(args.has('--quiet'));
const started = Date.now();
const release = acquireSetupLock();
try {
  const timings = [];
  const timed = async (name, step) => {
    const at = Date.now();
    await step();
    timings.push(`${name} ${((Date.now() - at) / 1000).toFixed(1)} s`);
  };
  await timed('npm', ensureNodeModules);
  await timed('mfcc kernel', () => {
    // The C MFCC pipeline (features:mfcc falls back to JavaScript, same numbers, when it cannot build).
    const build = ['packages/stage-features/native/build.mjs', ...(args.has('--quiet') ? ['--quiet'] : [])];
    const result = run(process.execPath, build, { inherit: true });
    if (!result.ok) warn('mfcc kernel', 'build failed; features:mfcc uses its JavaScript pipeline');
  });
  await timed('tensorflow', () =>
    ensureBackend({ force: args.has('--force-tf'), retry: 'node scripts/setup.mjs --force-tf' }),
  );
  // openSMILE (audEERING research licence, non-commercial; prints its first lines when it installs):
  // the features:opensmile tests and paper.yaml's eGeMAPS baselines compute with it.
  if (process.env.SERX_SKIP_OPENSMILE !== '1')
    await timed('opensmile', () => {
      try {
        ensureOpensmile({ quiet: args.has('--quiet') });
      } catch (error) {
        warn(
          'opensmile',
          `${error.message}\n  features:opensmile (the eGeMAPS rows) cannot run; fix and rerun setup`,
        );
      }
    });
  await timed('mlflow venv', () => {
    try {
      const { python, mlflowVersion } = ensureMlflowVenv();
      updateState({ mlflowPython: python, mlflowVersion });
    } catch (error) {
      warn(
        'mlflow venv',
        `${error.message}\n  tests that start an MLflow server will fail; fix and rerun setup`,
      );
    }
  });
  log('done', `in ${((Date.now() - started) / 1000).toFixed(1)} s (${timings.join(', ')})`);
} catch (error) {
  console.error(`[serx setup] FAILED: ${error.message}`);
  process.exitCode = 1;
} finally {
  release();
}
