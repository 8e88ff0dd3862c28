/**
 * One directory per way a user's run can go wrong: `spec.yaml` (+ plugin/data files) and
 * `expected.json` with the exit code, error code and message `serx run` must give. Each case runs
 * the real CLI as a process (as a user would), then checks that the cache was left clean: no
 * staging or stray files in tmp/, no locks, no run record stuck at `running`.
 *
 * expected.json: { exit, code?, message?, where?, output?, args?, signals?, withinMs?, env?,
 *   cache?: { fill?: spec file run first, readOnly?: true }, setup?: { copy?, dirs?, links? },
 *   steps? }
 *
 * A case with `steps` (gc, locks, several commands, live runs) runs them in order instead of the
 * one `serx run spec.yaml`: a step is a serx command (checked like a run), a wait for a background
 * command, or a file operation on the case's work dir (`cache/…` is the cache, `case/…` is
 * `${env.CASE_TMP}`). See {@link Step}.
 */
import { spawn } from 'node:child_process';
import {
  chmod,
  chown,
  cp,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  symlink,
  truncate,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../run/helpers.ts';

/** What a finished command must show. */
interface Check {
  exit?: number;
  code?: string;
  message?: string;
  output?: string;
  /** Text the output must not contain (an internal error's name, a raw byte dump...). */
  absent?: string[];
  /** The output must be at most this many lines. */
  maxLines?: number;
  /** `file:line:col` (relative to the case dir) the error must be reported at. */
  where?: string;
}

/**
 * One step of a case. `${NAME}` in args and paths is a value captured earlier, `${WORK}` the work
 * dir, `${CACHE}` the cache. Paths are relative to the work dir; `*` matches within one segment.
 */
interface Step extends Check {
  /** serx arguments, run in the case directory (default check: exit 0). */
  serx?: string[];
  /** Run as `nobody` (root reads files whatever their mode). */
  user?: 'nobody';
  env?: { [name: string]: string };
  /** Start in the background under this name; the next step starts once its output matches `until`. */
  background?: string;
  until?: string;
  /** Wait for the background command of this name to end, then check it. */
  wait?: string;
  /** Values taken from the output: NAME → a regex whose first group is the value. */
  capture?: { [name: string]: string };
  /** Kill the command after this long (default 60 s): a hang fails the case instead of the suite. */
  timeoutMs?: number;
  /** Write a file: `text`, after `bytes` pseudo-random bytes if given (a binary file). */
  write?: string;
  text?: string;
  bytes?: number;
  chmod?: string;
  mode?: string;
  /** Give a tree to `nobody` (for `user: nobody` steps). */
  chown?: string;
  truncate?: string;
  /** Set a file's mtime this many seconds into the past. */
  age?: string;
  seconds?: number;
  rm?: string;
  /** The pattern must match exactly `count` paths. */
  paths?: string;
  count?: number;
}

interface Expected {
  exit?: number;
  env?: { [name: string]: string };
  steps?: Step[];
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
    /** Copy the case's `outside-repo/` folder there (`_package.json` becomes `package.json`: outside any "type": "module"). */
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
  timeoutMs?: number,
  onOutput?: (output: string) => void,
): Promise<Ran> {
  const proc = spawn(process.execPath, [bin, ...args], { cwd, env, ...user });
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  let output = '';
  let firstSignal: number | undefined;
  const signals = [...(expected.signals ?? [])];
  const onData = (chunk: Buffer) => {
    output += chunk;
    onOutput?.(output);
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
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        output,
        sinceSignalMs: firstSignal === undefined ? undefined : Date.now() - firstSignal - 500,
      });
    }),
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
  Object.assign(env, expected.env);
  const caseTmp = join(work, 'case');
  await mkdir(caseTmp);
  if (expected.setup?.copy) {
    await cp(join(dir, 'outside-repo'), caseTmp, { recursive: true });
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
  if (expected.steps) {
    await runSteps(expected.steps, { dir, work, cache, env });
    await expectClean(cache, '');
    return;
  }
  const ran = await serx(
    ['run', 'spec.yaml', ...(expected.args ?? [])],
    dir,
    env,
    expected,
    expected.cache?.readOnly ? asUser : {},
  );
  expect(ran.code, ran.output).toBe(expected.exit ?? 0);
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

interface CaseDirs {
  dir: string;
  work: string;
  cache: string;
  env: NodeJS.ProcessEnv;
}

function checkOutput(ran: Ran, check: Check, what: string, dir: string): void {
  const context = `${what}\n${ran.output}`;
  expect(ran.code, context).toBe(check.exit ?? 0);
  if (check.code) expect(ran.output, context).toContain(`[${check.code}]`);
  if (check.message) expect(ran.output, context).toContain(check.message);
  if (check.output) expect(ran.output, context).toContain(check.output);
  for (const text of check.absent ?? []) expect(ran.output, context).not.toContain(text);
  if (check.where) expect(ran.output, context).toContain(`${join(dir, check.where)} `);
  if (check.maxLines !== undefined)
    expect(ran.output.trimEnd().split('\n').length, context).toBeLessThanOrEqual(check.maxLines);
}

/** Paths under `root` matching `pattern` (`*` within one segment). */
async function expand(root: string, pattern: string): Promise<string[]> {
  let found = [root];
  for (const segment of pattern.split('/')) {
    if (!segment.includes('*')) {
      found = found.map((p) => join(p, segment));
      continue;
    }
    const re = new RegExp(
      `^${segment
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*')}$`,
    );
    const next: string[] = [];
    for (const p of found)
      for (const name of await readdir(p).catch(() => [] as string[]))
        if (re.test(name)) next.push(join(p, name));
    found = next;
  }
  const exists = await Promise.all(
    found.map((p) =>
      readdir(dirname(p)).then(
        (names) => names.includes(basename(p)),
        () => false,
      ),
    ),
  );
  return found.filter((_, i) => exists[i]).sort();
}

/** 32-bit xorshift: the same "binary file" on every machine. */
function pseudoRandomBytes(count: number): Buffer {
  const out = Buffer.alloc(count);
  let x = 0x9e3779b9;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const byte = x & 0xff;
    // no line breaks, comments, quotes or colons: the bytes read as one long YAML scalar
    out[i] = [0x0a, 0x0d, 0x23, 0x22, 0x27, 0x3a].includes(byte) ? 0x41 : byte;
  }
  return out;
}

async function runSteps(steps: Step[], c: CaseDirs): Promise<void> {
  const values: { [name: string]: string } = { WORK: c.work, CACHE: c.cache };
  const fill = (text: string) => text.replace(/\$\{([A-Z_]+)\}/g, (m, name: string) => values[name] ?? m);
  const one = async (pattern: string) => {
    const paths = await expand(c.work, fill(pattern));
    expect(paths.length, `${pattern} matches nothing`).toBeGreaterThan(0);
    return paths;
  };
  const background = new Map<string, Promise<Ran>>();
  for (const [i, step] of steps.entries()) {
    const what = `step ${i + 1}: ${JSON.stringify(step)}`;
    if (step.serx) {
      const user = step.user === 'nobody' ? { uid: 65534, gid: 65534 } : {};
      const env = { ...c.env, ...step.env };
      const args = step.serx.map(fill);
      if (step.background) {
        let matched: () => void = () => {};
        const started = new Promise<void>((resolve) => (matched = resolve));
        const until = new RegExp(step.until ?? '.');
        const ran = serx(args, c.dir, env, {}, user, step.timeoutMs ?? 120_000, (output) => {
          if (until.test(output)) matched();
        });
        background.set(step.background, ran);
        const ended = await Promise.race([started.then(() => undefined), ran]);
        expect(ended, `${what}: ended before its output matched ${step.until}`).toBeUndefined();
        continue;
      }
      const ran = await serx(args, c.dir, env, {}, user, step.timeoutMs ?? 60_000);
      checkOutput(ran, step, what, c.dir);
      for (const [name, pattern] of Object.entries(step.capture ?? {})) {
        const value = new RegExp(pattern).exec(ran.output)?.[1];
        expect(value, `${what}: no ${pattern} in\n${ran.output}`).toBeDefined();
        values[name] = value as string;
      }
    } else if (step.wait) {
      checkOutput(await (background.get(step.wait) as Promise<Ran>), step, what, c.dir);
    } else if (step.write) {
      const path = join(c.work, fill(step.write));
      await mkdir(dirname(path), { recursive: true });
      const text = Buffer.from(step.text ?? '');
      await writeFile(
        path,
        step.bytes === undefined ? text : Buffer.concat([pseudoRandomBytes(step.bytes), text]),
      );
    } else if (step.chmod) {
      for (const path of await one(step.chmod)) await chmod(path, Number.parseInt(step.mode ?? '644', 8));
    } else if (step.chown) {
      for (const path of await one(step.chown)) await chownTree(path);
    } else if (step.truncate) {
      for (const path of await one(step.truncate)) await truncate(path, step.bytes ?? 0);
    } else if (step.age) {
      const then = new Date(Date.now() - (step.seconds ?? 60) * 1000);
      for (const path of await one(step.age)) await utimes(path, then, then);
    } else if (step.rm) {
      for (const path of await one(step.rm)) await rm(path, { recursive: true, force: true });
    } else if (step.paths) {
      expect(await expand(c.work, fill(step.paths)), what).toHaveLength(step.count ?? 0);
    } else throw new Error(`${what}: unknown step`);
  }
  // a background command no step waited for must not outlive the case
  await Promise.all([...background.values()]);
}

async function chownTree(path: string): Promise<void> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isDirectory()) await chownTree(join(path, entry.name));
    else await chown(join(path, entry.name), 65534, 65534);
  }
  await chown(path, 65534, 65534);
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
