// What loading the default plugins loads (a no-op rerun loads all of them): their definitions import
// `@serx/core/stage`, not core's index, and the model plugins reach the TensorFlow backend package
// only through `@serx/tf-backend/plugin-hooks`. Observed for real: a child process whose module
// loader records every file it loads.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PLUGINS } from '../../src/cli/default-plugins.ts';

const repo = resolve(import.meta.dirname, '../../../..');
const TYPESCRIPT = join(repo, 'packages/core/src/loader/import.mjs');

function loadedBy(script: string, env: NodeJS.ProcessEnv = {}): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'serx-plugin-load-'));
  try {
    const out = join(dir, 'loaded.txt');
    writeFileSync(
      join(dir, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(${JSON.stringify(out)}, url + '\\n');
  return next(url, context);
}
`,
    );
    writeFileSync(
      join(dir, 'register.mjs'),
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
    );
    writeFileSync(join(dir, 'main.mjs'), script);
    const result = spawnSync(
      process.execPath,
      ['--import', TYPESCRIPT, '--import', join(dir, 'register.mjs'), join(dir, 'main.mjs')],
      { cwd: repo, encoding: 'utf8', env: { ...process.env, ...env } },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((url) => relative(repo, new URL(url).pathname));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('loading the default plugins', { timeout: 120_000 }, () => {
  it("loads core's contract through @serx/core/stage, not its index, and no TensorFlow backend", () => {
    const loadPlugin = pathToFileURL(join(repo, 'packages/core/src/plugins/load-plugins.ts')).href;
    const loaded = loadedBy(
      `const { loadPlugin } = await import(${JSON.stringify(loadPlugin)});
for (const name of ${JSON.stringify(DEFAULT_PLUGINS)}) await loadPlugin(name, ${JSON.stringify(repo)});
`,
    );
    // the check sees what it should: every plugin's module and core's contract
    for (const name of DEFAULT_PLUGINS) expect(loaded).toContain(`packages/${name.slice(6)}/src/plugin.ts`);
    expect(loaded).toContain('packages/core/src/stage.ts');
    expect(loaded).toContain('packages/core/src/contract.ts');
    expect(loaded.filter((f) => f === 'packages/core/src/index.ts')).toEqual([]);
    expect(loaded.filter((f) => /^packages\/core\/src\/(run|cli|tracking|graph)\//.test(f))).toEqual([]);
    expect(loaded.filter((f) => f.startsWith('packages/tf-backend/')).sort()).toEqual([
      'packages/tf-backend/src/doctor-check.ts',
      'packages/tf-backend/src/kernels-source.ts',
      'packages/tf-backend/src/plugin-hooks.ts',
      'packages/tf-backend/src/provision-step.ts',
    ]);
    expect(loaded.filter((f) => f.includes('node_modules/@tensorflow/'))).toEqual([]);
  });
});

describe('a no-op rerun', { timeout: 120_000 }, () => {
  it('loads none of what only a miss needs (running a stage, a node job, reuse across code)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'serx-noop-load-'));
    try {
      const stages = join(repo, 'packages/core/test/fixtures/run-plugin/stages.ts');
      const spec = join(dir, 'spec.yaml');
      writeFileSync(
        spec,
        `name: noop\nplugins: ['${stages}']\nstages:\n  a: { uses: test:source, params: { value: 1 } }\n  b: { uses: test:sum, params: { add: 2 }, inputs: { values: [a.data] } }\n`,
      );
      const main = pathToFileURL(join(repo, 'packages/core/src/cli/main.ts')).href;
      const script = `const { main } = await import(${JSON.stringify(main)});
const out = { write: () => true };
const code = await main(['run', ${JSON.stringify(spec)}, '--cache', ${JSON.stringify(join(dir, 'cache'))}, '--json'], { stdout: out, stderr: process.stderr, cwd: ${JSON.stringify(dir)}, env: process.env });
if (code !== 0) throw new Error('exit ' + code);
`;
      const missed = loadedBy(script); // computes a and b
      expect(missed).toContain('packages/core/src/run/compute-node.ts');
      const loaded = loadedBy(script); // finds both cached
      expect(loaded).toContain('packages/core/src/run/execute-node.ts');
      const missOnly = [
        'run/compute-node.ts',
        'run/compute-remote.ts',
        'run/reuse-node.ts',
        'run/stage-result.ts',
        'run/stray-writes.ts',
        'run/failed-outcome.ts',
        'cache/reuse-across-code.ts',
        'cache/code/code-diff.ts',
      ];
      expect(loaded.filter((f) => missOnly.some((m) => f === `packages/core/src/${m}`))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
