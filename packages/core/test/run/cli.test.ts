import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { CliIO } from '../../src/index.ts';
import { executions, tempDir } from './helpers.ts';

const specs = join(import.meta.dirname, '../fixtures/run-plugin/specs');

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

async function serx(argv: string[], env: NodeJS.ProcessEnv = {}, cwd = specs) {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: CliIO = { stdout, stderr, cwd, env: { PATH: process.env.PATH, ...env } };
  const code = await main(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const stripTimes = (text: string) =>
  text.replace(/^\d\d:\d\d:\d\d /gm, '').replace(/ in \d+(\.\d)?m?s/g, ' in T');

// every stage runs in a child process of its own: seconds each on a loaded machine
describe('serx CLI', { timeout: 60_000 }, () => {
  it('runs a spec, then reuses it; plan and why explain a change', async () => {
    const dir = await tempDir('serx-cli-');
    const env = { SERX_TEST_MARKERS: join(dir, 'm'), SERX_CACHE: join(dir, 'cache') };
    const first = await serx(['run', 'diamond.yaml', '--jobs', '1'], env);
    expect(first.code).toBe(0);
    const lines = stripTimes(first.stdout).split('\n');
    expect(lines).toContain('total: succeeded in T');
    expect(lines.at(-2)).toMatch(
      /^run succeeded in T: 4 ran, 0 cached, 0 failed, 0 skipped, 0 interrupted; record .*\/cache\/runs\/\d{8}T\d{9}Z-[0-9a-f]{6}\.json$/,
    );

    const again = await serx(['run', 'diamond.yaml', '--json'], env);
    expect(again.code).toBe(0);
    const events = again.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const states = events.filter((e) => e.type === 'state').map((e) => `${e.id} ${e.state}`);
    expect(states.sort()).toEqual(['a cached', 'ab cached', 'b cached', 'total cached']);
    expect(events.at(-1)).toMatchObject({
      type: 'run-end',
      summary: { status: 'succeeded', counts: { cached: 4 } },
    });
    expect(await executions(join(dir, 'm'))).toEqual({ a: 1, b: 1, ab: 1, total: 1 });

    const plan = await serx(['plan', 'diamond.yaml'], { ...env, SERX_TEST_DELAY: '5' });
    expect(plan.code).toBe(0);
    expect(plan.stdout.replace(/ [0-9a-f]{12} /g, ' KEY ')).toBe(
      [
        'hit     a     KEY  test:source',
        'miss    b     KEY  test:source',
        '        ↳ param delayMs: 0 → 5',
        'pending ab    ????????????  test:sum',
        "        ↳ waits for 'b' to run; hits if their outputs come out unchanged",
        'hit     total KEY  test:source'
          .replace('test:source', 'test:sum')
          .replace('hit    ', 'pending')
          .replace(' KEY ', ' ???????????? '),
        "        ↳ waits for 'ab' to run; hits if their outputs come out unchanged",
        '1 hit, 1 miss, 2 pending',
        '',
      ].join('\n'),
    );
    const why = await serx(['why', 'diamond.yaml', 'total'], { ...env, SERX_TEST_DELAY: '5' });
    expect(why.code).toBe(0);
    expect(why.stdout).toContain(
      'total (test:sum): pending\n  key       not known until upstream stages have run\n',
    );
    expect(why.stdout).toContain("  upstream  'b' runs: param delayMs: 0 → 5\n");
    const whyHit = await serx(['why', 'diamond.yaml', 'a', '--json'], env);
    const [a] = JSON.parse(whyHit.stdout);
    expect(a).toMatchObject({
      id: 'a',
      status: 'hit',
      keyInput: { stage: 'test:source', params: { value: 1, delayMs: 0, fail: false } },
    });
  });

  it('pins (spec pin: true and serx pin), lists pins and collects the rest', async () => {
    const dir = await tempDir('serx-cli-');
    const env = { SERX_TEST_MARKERS: join(dir, 'm'), SERX_CACHE: join(dir, 'cache') };
    expect((await serx(['run', 'diamond.yaml'], env)).code).toBe(0);
    const record = JSON.parse((await serx(['why', 'diamond.yaml', 'ab', '--json'], env)).stdout)[0];
    const pinned = await serx(['pin', '--list'], env);
    const totalKey = JSON.parse((await serx(['why', 'diamond.yaml', 'total', '--json'], env)).stdout)[0].key;
    expect(pinned.stdout).toBe(`${totalKey}\n`);
    expect((await serx(['pin', 'diamond.yaml', 'ab'], env)).stdout).toBe(`pinned ${record.key}\n`);
    expect((await serx(['pin', record.key.slice(0, 10), '--unpin'], env)).stdout).toBe(
      `unpinned ${record.key}\n`,
    );
    const notCached = await serx(['pin', 'diamond.yaml', 'b'], { ...env, SERX_TEST_DELAY: '1' });
    expect(notCached).toMatchObject({
      code: 2,
      stderr: 'b is not cached; run the spec first, then pin [USAGE]\n',
    });

    // a second run with another b (same output content, so ab and total stay cached);
    // keeping one run per spec drops the first run's b, the only entry no kept run uses
    const bKey = JSON.parse((await serx(['why', 'diamond.yaml', 'b', '--json'], env)).stdout)[0].key;
    expect((await serx(['run', 'diamond.yaml'], { ...env, SERX_TEST_DELAY: '1' })).code).toBe(0);
    const gc = await serx(['gc', '--keep-runs', '1', '--json'], env);
    const report = JSON.parse(gc.stdout);
    expect(report.removedEntries).toEqual([bKey]);
    expect(report.removedRecords.length).toBe(1);
    expect(report.pinnedEntries).toBe(1);
    expect(report.keptEntries).toBe(4);
  });

  it('exits 1 on a stage failure (keep-going runs the rest) and prints the error with its location', async () => {
    const dir = await tempDir('serx-cli-');
    const result = await serx(['run', 'fail.yaml', '--keep-going', '--cache', join(dir, 'c')]);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(
      `${join(specs, 'fail.yaml')}:7:3 stages.broken: stage 'broken' (test:sum) failed: sum broken told to fail [STAGE_FAILED]`,
    );
    expect(stripTimes(result.stdout)).toContain("after: skipped (upstream 'broken' failed)\n");
    expect(stripTimes(result.stdout)).toContain('side: succeeded in T\n');
  });

  it('exits 2 on spec and usage errors, printing file:line:col path: message [CODE]', async () => {
    const bad = await serx(['run', 'bad-param.yaml', '--cache', '/nonexistent/never-created']);
    expect(bad).toEqual({
      code: 2,
      stdout: '',
      stderr: `${join(specs, 'bad-param.yaml')}:8:7 stages.a.params.valeu: unknown param 'valeu' (did you mean 'value'?) [SPEC_PARAM_UNKNOWN]\n`,
    });
    const unknown = await serx(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /unknown command 'frobnicate' \(serx --help lists the commands\) \[USAGE\]\n$/,
    );
    expect((await serx(['run'])).stderr).toMatch(/^run takes exactly one spec file\nusage: serx run <spec>/);
    expect((await serx(['run', 'diamond.yaml', '--jobs', '0'])).code).toBe(2);
    expect((await serx(['run', 'diamond.yaml', '--bogus'])).stderr).toMatch(/^Unknown option '--bogus'/);
    expect(
      (
        await serx(['run', 'diamond.yaml', '--only', 'nope'], {
          SERX_TEST_MARKERS: '/tmp/x',
          SERX_CACHE: join(await tempDir(), 'c'),
        })
      ).stderr,
    ).toBe("--only nope: no such stage in spec 'cli-diamond' (stages: a, b, ab, total) [USAGE]\n");
    expect(
      (await serx(['graph', 'diamond.yaml', '--format', 'png'], { SERX_TEST_MARKERS: '/tmp/x' })).code,
    ).toBe(2);
    expect((await serx([])).code).toBe(2);
  }, 60_000); // an unknown command makes serx load the default plugins to look for it

  it('prints the graph as mermaid or dot and the spec schema', async () => {
    const env = { SERX_TEST_MARKERS: '/tmp/x' };
    const dot = await serx(['graph', 'diamond.yaml', '--format', 'dot'], env);
    expect(dot.code).toBe(0);
    expect(dot.stdout).toMatch(/^digraph/);
    expect((await serx(['graph', 'diamond.yaml'], env)).stdout).toMatch(/^flowchart LR\n/);
    const schema = await serx(
      ['schema', '--plugin', './test/fixtures/run-plugin/stages.ts'],
      {},
      join(specs, '../../../..'),
    );
    expect(schema.code).toBe(0);
    expect(JSON.stringify(JSON.parse(schema.stdout))).toContain('"test:source"');
  });

  it('dispatches commands contributed by the default plugins', async () => {
    const features = await serx(['features', '--help']);
    expect(features.code).toBe(0);
    expect(features.stdout).toMatch(/^usage: serx features /);
    const help = await serx(['--help']);
    expect(help.stdout).toMatch(/\n {2}features +\S/);
  }, 60_000);

  it('doctor reports MLflow reachability without failing', async () => {
    const { mlflowLine } = await import('../../src/cli/commands/doctor.ts');
    expect(await mlflowLine({})).toMatch(/^mlflow: not configured/);
    expect(await mlflowLine({ MLFLOW_TRACKING_URI: 'http://127.0.0.1:9' })).toMatch(
      /^mlflow: http:\/\/127\.0\.0\.1:9 unreachable/,
    );
    expect(await mlflowLine({ MLFLOW_TRACKING_URI: 'file:///tmp/mlruns' })).toBe(
      'mlflow: file:///tmp/mlruns is not an http(s) server; serx run refuses it (unset MLFLOW_TRACKING_URI or point it at a server)',
    );
  });

  it('writes the run record with resolved params under <cache>/runs', async () => {
    const dir = await tempDir('serx-cli-');
    const env = { SERX_TEST_MARKERS: join(dir, 'm') };
    const result = await serx(['run', 'diamond.yaml', '--cache', join(dir, 'c'), '--json'], env);
    const end = JSON.parse(result.stdout.trim().split('\n').at(-1) as string);
    const record = JSON.parse(await readFile(end.summary.recordPath, 'utf8'));
    expect(record).toMatchObject({
      status: 'succeeded',
      spec: { name: 'cli-diamond', file: join(specs, 'diamond.yaml') },
    });
    expect(record.stages.ab.keyInput.params).toEqual({
      add: 10,
      markers: join(dir, 'm'),
      delayMs: 0,
      fail: false,
    });
    expect(record.spec.document.stages.a.uses).toBe('test:source');
  });
});
