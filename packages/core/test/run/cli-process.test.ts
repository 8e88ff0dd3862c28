import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec, openCache, planGraph } from '../../src/index.ts';
import { tempDir } from './helpers.ts';

const bin = join(import.meta.dirname, '../../bin/serx.mjs');
const specs = join(import.meta.dirname, '../fixtures/run-plugin/specs');

describe('serx as a process', () => {
  it('Ctrl-C aborts the running stage, keeps the cache consistent and exits 130', async () => {
    const dir = await tempDir('serx-sigint-');
    const env = {
      ...process.env,
      SERX_TEST_MARKERS: join(dir, 'm'),
      SERX_TEST_DELAY: '20000',
      SERX_CACHE: join(dir, 'cache'),
    };
    // Two jobs: `a` finishes at once while `b` sleeps, whichever the scheduler starts first.
    const proc = spawn(process.execPath, [bin, 'run', 'diamond.yaml', '--jobs', '2'], { cwd: specs, env });
    let stdout = '';
    let stderr = '';
    proc.stderr.on('data', (chunk) => (stderr += chunk));
    proc.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (/\bb: running/m.test(stdout) && /\ba: succeeded/m.test(stdout) && !proc.killed) proc.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('SIGINT: stopping running stages');
    expect(stdout).toMatch(/b: interrupted in [\d.]+m?s \(interrupted by SIGINT\)/);
    expect(stdout).toMatch(
      /ab: skipped \(upstream 'b' was interrupted\)\n.*total: skipped \(upstream 'b' was interrupted\)/,
    );
    expect(stdout).toMatch(/run interrupted in .*: 1 ran, 0 cached, 0 failed, 2 skipped, 1 interrupted/);

    const cache = await openCache(join(dir, 'cache'));
    expect(await readdir(cache.path('tmp'))).toEqual([]);
    expect(await readdir(cache.path('locks'))).toEqual([]);
    expect((await cache.listEntries()).length).toBe(1);
    const plan = await planGraph(await loadSpec(join(specs, 'diamond.yaml'), { env }), cache);
    expect(plan.nodes.map((n) => [n.id, n.status, ...n.reasons])).toEqual([
      ['a', 'hit'],
      ['b', 'miss', 'same key as the last run, which ended interrupted'],
      [
        'ab',
        'pending',
        'no previous run of this stage recorded for this spec',
        "waits for 'b' to run; hits if their outputs come out unchanged",
      ],
      [
        'total',
        'pending',
        'no previous run of this stage recorded for this spec',
        "waits for 'ab' to run; hits if their outputs come out unchanged",
      ],
    ]);
  }, 30_000);

  it('--version prints the package version, the same as main() does, without loading the CLI', async () => {
    const { execFileSync } = await import('node:child_process');
    const { readFile } = await import('node:fs/promises');
    const { main } = await import('../../src/cli/main.ts');
    const pkg = JSON.parse(await readFile(join(import.meta.dirname, '../../package.json'), 'utf8'));
    for (const flag of ['--version', '-v'])
      expect(execFileSync(process.execPath, [bin, flag], { encoding: 'utf8' })).toBe(`${pkg.version}\n`);
    let printed = '';
    const io = {
      stdout: { write: (s: string) => (printed += s) },
      stderr: { write: () => true },
      cwd: '.',
      env: {},
    };
    await main(['--version'], io as never);
    expect(printed).toBe(`${pkg.version}\n`);
  });
});
