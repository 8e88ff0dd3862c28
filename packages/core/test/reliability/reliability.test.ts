/**
 * One directory per way a user's run can go wrong: `spec.yaml` (+ plugin/data files) and
 * `expected.json` with the exit code, error code and message `serx run` must give. Each case runs
 * the real CLI as a process (as a user would), then checks that the cache was left clean: no
 * staging or stray files in tmp/, no locks, no run record stuck at `running`.
 *
 * expected.json: { exit, code?, message?, where?, output?, args?, signals?, withinMs?,
 *   cache?: { fill?: spec file run first, readOnly?: true }, setup?: { copy?, dirs?, links? } }
 */
import { spawn } from 'node:child_process';
import { chmod, cp, mkdir, readdir, readFile, rename, symlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../run/helpers.ts';

interface Expected {
  exit: number;
  code?: string;
  message?: string;
  /** `file:line:col` the error must be reported at. */
  where?: string;
  /** Text the output must contain (e.g. a notice). */
  output?: string;
  args?: string[];
  /** Sent once the stage runs, each 300 ms after the previous. */
  signals?: NodeJS.Signals[];
  /** The run must end within this long after the first signal. */
  withinMs?: number;
  cache?: { fill?: string; readOnly?: boolean };
  /** Files the case needs outside the repository, in a temp dir the spec reads as `${env.CASE_TMP}`. */
  setup?: {
    /** Copy the case's `_tmp/` there (`_package.json` becomes `package.json`: outside any "type": "module"). */
    copy?: boolean;
    /** Empty directories to create there. */
    dirs?: string[];
    /** Symbolic links to create there: path → corpus path under $SERX_DATA. */
    links?: { [path: string]: string };
  };
}

const here = import.meta.dirname;
const bin = join(here, '../../bin/serx.mjs');
// the repository's data rule (README): $SERX_DATA, else ../shared/corpora beside the repository
const corpora = resolve(process.env.SERX_DATA || join(here, '../../../../../shared/corpora'));
const cases = (await readdir(here)).filter((name) => !name.startsWith('_') && !name.includes('.'));
// A read-only cache means nothing to root: those runs drop to `nobody`.
const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

interface Ran {
  code: number | null;
  output: string;
  sinceSignalMs: number | undefined;
}

function serx(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  expected: Partial<Expected>,
  user = {},
): Promise<Ran> {
  const proc = spawn(process.execPath, [bin, ...args], { cwd, env, ...user });
  let output = '';
  let firstSignal: number | undefined;
  const signals = [...(expected.signals ?? [])];
  const onData = (chunk: Buffer) => {
    output += chunk;
    if (signals.length > 0 && firstSignal === undefined && /: running/.test(output)) {
      firstSignal = Date.now();
      const send = () => {
        const signal = signals.shift();
        if (signal && proc.exitCode === null) proc.kill(signal);
        if (signals.length > 0) setTimeout(send, 300);
      };
      setTimeout(send, 500);
    }
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  return new Promise((resolve) =>
    proc.on('close', (code) =>
      resolve({
        code,
        output,
        sinceSignalMs: firstSignal === undefined ? undefined : Date.now() - firstSignal - 500,
      }),
    ),
  );
}

async function runCase(name: string): Promise<void> {
  const dir = join(here, name);
  const expected = JSON.parse(await readFile(join(dir, 'expected.json'), 'utf8')) as Expected;
  const work = await tempDir(`serx-reliability-${name}-`);
  await chmod(work, 0o755);
  const cache = join(work, 'cache');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: work,
    SERX_CACHE: cache,
    CASE_TMP: join(work, 'case'),
  };
  delete env.MLFLOW_TRACKING_URI;
  const caseTmp = join(work, 'case');
  await mkdir(caseTmp);
  if (expected.setup?.copy) {
    await cp(join(dir, '_tmp'), caseTmp, { recursive: true });
    await rename(join(caseTmp, '_package.json'), join(caseTmp, 'package.json'));
  }
  for (const sub of expected.setup?.dirs ?? []) await mkdir(join(caseTmp, sub), { recursive: true });
  for (const [path, target] of Object.entries(expected.setup?.links ?? {})) {
    await mkdir(dirname(join(caseTmp, path)), { recursive: true });
    await symlink(join(corpora, target), join(caseTmp, path));
  }
  if (expected.cache?.fill) {
    const filled = await serx(['run', expected.cache.fill], dir, env, {});
    expect(filled.code, filled.output).toBe(0);
  }
  if (expected.cache?.readOnly) {
    if (!expected.cache.fill) await mkdir(cache);
    await chmodTree(cache, false);
  }
  const ran = await serx(
    ['run', 'spec.yaml', ...(expected.args ?? [])],
    dir,
    env,
    expected,
    expected.cache?.readOnly ? asUser : {},
  );
  expect(ran.code, ran.output).toBe(expected.exit);
  if (expected.code) expect(ran.output).toContain(`[${expected.code}]`);
  if (expected.message) expect(ran.output).toContain(expected.message);
  if (expected.output) expect(ran.output).toContain(expected.output);
  if (expected.where) expect(ran.output).toContain(`${join(dir, expected.where)} `);
  if (expected.withinMs !== undefined) {
    expect(ran.sinceSignalMs, ran.output).toBeDefined();
    expect(ran.sinceSignalMs as number, ran.output).toBeLessThan(expected.withinMs);
  }
  if (expected.cache?.readOnly) await chmodTree(cache, true);
  await expectClean(cache, ran.output);
}

async function chmodTree(path: string, writable: boolean): Promise<void> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) if (entry.isDirectory()) await chmodTree(join(path, entry.name), writable);
  await chmod(path, writable ? 0o755 : 0o555);
}

/** Whatever happened, the run left nothing half-done behind. */
async function expectClean(cache: string, output: string): Promise<void> {
  const names = async (sub: string) => readdir(join(cache, sub)).catch(() => [] as string[]);
  expect(await names('tmp'), output).toEqual([]);
  expect(await names('locks'), output).toEqual([]);
  for (const name of (await names('runs')).filter((n) => n.endsWith('.json'))) {
    const record = JSON.parse(await readFile(join(cache, 'runs', name), 'utf8')) as { status: string };
    expect(record.status, `${name}: ${output}`).not.toBe('running');
  }
}

describe('reliability', () => {
  it('has at least 20 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases)('%s', (name) => runCase(name), 120_000);
});
