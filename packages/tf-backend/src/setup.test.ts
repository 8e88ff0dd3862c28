import { spawnSync } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readSetupState } from './state.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const tfjsNode = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-node/package.json'));
const lib = join(tfjsNode, 'deps', 'lib');
const wheelLayout = existsSync(join(lib, 'libtensorflow_cc.so.2'));

describe('scripts/setup.mjs (already run by npm test)', () => {
  // The npm line is not asserted: in a shared working tree a manifest edited but not yet installed
  // makes it NEEDS SETUP, which `npm test` would fix; it is not this package's failure.
  it('--check finds the backend and the MLflow venv set up, without changing anything', () => {
    const result = spawnSync(process.execPath, ['scripts/setup.mjs', '--check'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(result.stdout).toMatch(/^\[serx setup\] npm: (ok|NEEDS SETUP)/m);
    expect(result.stdout).toMatch(
      /^\[serx setup\] tensorflow: ok \((native, libtensorflow 2\.18\.1|wasm fallback)/m,
    );
    expect(result.stdout).toMatch(/^\[serx setup\] mlflow venv: ok/m);
  });

  it('records a backend that trains, and the MLflow venv python', () => {
    const state = readSetupState();
    expect(['tensorflow', 'wasm']).toContain(state.backend);
    if (state.backend === 'wasm') expect(state.nativeError).toMatch(/fix:/);
    expect(state.mlflowPython && existsSync(state.mlflowPython)).toBe(true);
    expect(state.mlflowVersion).toBe('3.6.0');
  });

  // Only for the PyPI-wheel route; the upstream route has its own layout.
  it.skipIf(!wheelLayout)('lays out libtensorflow under the names binding.gyp links; ldd finds all', () => {
    expect(readlinkSync(join(lib, 'libtensorflow.so'))).toBe('libtensorflow_cc.so.2');
    expect(readlinkSync(join(lib, 'libtensorflow_framework.so'))).toBe('libtensorflow_framework.so.2');
    const addon = join(tfjsNode, 'lib', 'napi-v8', 'tfjs_binding.node');
    const ldd = spawnSync('ldd', [addon], { encoding: 'utf8' });
    expect(ldd.stdout).toMatch(/libtensorflow_cc\.so\.2 => .*deps\/lib\/libtensorflow_cc\.so\.2/);
    expect(ldd.stdout).toMatch(/libtensorflow_framework\.so\.2 => /);
    expect(ldd.stdout).not.toMatch(/not found/);
  });
});
