/**
 * `serx run|plan|why|graph --set / --matrix / --variant` on real runs of small stages: errors as
 * printed, the overrides in the run record, keys equal to a YAML file with the overrides written
 * in, and `--variant` computing exactly the cache entries of its part of the full run.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { CliIO, RunRecord } from '../../src/index.ts';
import { executions, tempDir } from '../run/helpers.ts';

const stages = join(import.meta.dirname, '../fixtures/run-plugin/stages.ts');

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

async function serx(argv: string[], env: NodeJS.ProcessEnv, cwd: string) {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: CliIO = { stdout, stderr, cwd, env: { PATH: process.env.PATH, ...env } };
  const code = await main(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** The keys of a finished run, per node, from its `--json` run-end event's record. */
async function runKeys(stdout: string): Promise<{ [id: string]: string }> {
  const end = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .find((e) => e.type === 'run-end');
  const record = JSON.parse(await readFile(end.summary.recordPath, 'utf8')) as RunRecord;
  return Object.fromEntries(Object.entries(record.stages).map(([id, s]) => [id, s.key as string]));
}

const SPEC = `name: overrides
plugins: ['${stages}']
vars: { markers: "\${env.SERX_TEST_MARKERS}" }
matrix: { seed: [1, 2, 3] }
stages:
  base: { uses: test:source, params: { value: 1, markers: "\${vars.markers}" } }
  per_seed:
    uses: test:sum
    seed: \${matrix.seed}
    params: { add: "\${matrix.seed}", markers: "\${vars.markers}" }
    inputs: { values: [base.data] }
  gathered:
    uses: test:sum
    params: { markers: "\${vars.markers}" }
    inputs: { values: ["per_seed.data[*]"] }
`;

let dir: string;
let spec: string;

beforeAll(async () => {
  dir = await tempDir('serx-overrides-cli-');
  spec = join(dir, 'spec.yaml');
  await writeFile(spec, SPEC);
});

// each stage runs in a child process of its own: seconds each on a loaded machine
describe('serx with overrides', { timeout: 120_000 }, () => {
  it('prints an override error at its argument and exits 2', async () => {
    const env = { SERX_TEST_MARKERS: join(dir, 'none'), SERX_CACHE: join(dir, 'cache-errors') };
    const typo = await serx(
      ['plan', 'spec.yaml', '--set', 'base.value=2', '--set', 'per_sed.add=5'],
      env,
      dir,
    );
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe(
      "--set #2: 'per_sed.add' matches nothing: 'per_sed' is neither a top-level key nor a stage (did you mean 'per_seed'?) [SPEC_OVERRIDE]\n",
    );
    const type = await serx(['graph', 'spec.yaml', '--set=per_seed.add=many'], env, dir);
    expect(type.code).toBe(2);
    expect(type.stderr).toBe('--set #1: per_seed.add: must be number [SPEC_PARAMS]\n');
    const axis = await serx(['why', 'spec.yaml', 'base', '--matrix', 'lr=0.1,0.5'], env, dir);
    expect(axis.stderr).toContain('--matrix #1: matrix.lr: the spec has no matrix axis');
    const variant = await serx(['run', 'spec.yaml', '--variant', 'seed=7'], env, dir);
    expect(variant.code).toBe(2);
    expect(variant.stderr).toBe(
      "--variant #1: 'seed=7': seed has no value 7; its values: 1, 2, 3 [SPEC_OVERRIDE]\n",
    );
    expect(await executions(join(dir, 'none'))).toEqual({});
  });

  it('plan, why and graph see the overridden spec', async () => {
    const env = { SERX_TEST_MARKERS: join(dir, 'none'), SERX_CACHE: join(dir, 'cache-plan') };
    const plan = await serx(['plan', 'spec.yaml', '--matrix', 'seed=2', '--json'], env, dir);
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout).nodes.map((n: { id: string }) => n.id)).toEqual([
      'base',
      'per_seed[seed=2]',
      'gathered',
    ]);
    // --variant among --only's selection: the seed-2 node that `gathered` needs, and its upstream
    const among = await serx(
      ['plan', 'spec.yaml', '--only', 'gathered', '--variant', 'seed=2,3', '--json'],
      env,
      dir,
    );
    expect(JSON.parse(among.stdout).nodes.map((n: { id: string }) => n.id)).toEqual([
      'base',
      'per_seed[seed=2]',
      'per_seed[seed=3]',
    ]);
    const why = await serx(['why', 'spec.yaml', 'base', '--set', 'base.value=5'], env, dir);
    expect(why.stdout).toContain('params {"delayMs":0,"fail":false,"markers":');
    expect(why.stdout).toContain('"value":5}');
    const graph = await serx(
      ['graph', 'spec.yaml', '--set', 'stages.gathered~', '--format', 'dot'],
      env,
      dir,
    );
    expect(graph.code).toBe(0);
    expect(graph.stdout).not.toContain('gathered');
    expect(graph.stdout).toContain('per_seed[seed=3]');
  });

  it('records the overrides and gives the keys of the same overrides written in YAML', async () => {
    const markers = join(dir, 'm-record');
    const env = { SERX_TEST_MARKERS: markers, SERX_CACHE: join(dir, 'cache-record') };
    const args = ['--set', 'base.value=4', '--matrix', 'seed=1,3', '--set', 'per_seed.add=10'];
    const cli = await serx(['run', 'spec.yaml', ...args, '--json'], env, dir);
    expect(cli.code).toBe(0);
    const end = cli.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .at(-1);
    const record = JSON.parse(await readFile(end.summary.recordPath, 'utf8')) as RunRecord;
    expect(record.spec.overrides).toEqual([
      { arg: '--set #1', flag: '--set', text: 'base.value=4', path: 'stages.base.params.value', value: 4 },
      { arg: '--matrix #1', flag: '--matrix', text: 'seed=1,3', path: 'matrix.seed', value: [1, 3] },
      {
        arg: '--set #2',
        flag: '--set',
        text: 'per_seed.add=10',
        path: 'stages.per_seed.params.add',
        value: 10,
      },
    ]);
    expect(record.spec.document.matrix).toEqual({ seed: [1, 3] });
    expect(record.stages['per_seed[seed=3]']?.keyInput?.params).toMatchObject({ add: 10 });

    const yaml = join(dir, 'same.yaml');
    await writeFile(
      yaml,
      'extends: ./spec.yaml\nmatrix: { seed: [1, 3] }\nstages:\n  base: { params: { value: 4 } }\n  per_seed: { params: { add: 10 } }\n',
    );
    const written = await serx(['run', 'same.yaml', '--json'], env, dir);
    expect(written.code).toBe(0);
    const cliKeys = await runKeys(cli.stdout);
    expect(Object.keys(cliKeys)).toEqual(['base', 'per_seed[seed=1]', 'per_seed[seed=3]', 'gathered']);
    expect(await runKeys(written.stdout)).toEqual(cliKeys);
    // the YAML run computed nothing: every entry was the CLI run's
    expect(await executions(markers)).toEqual({
      base: 1,
      'per_seed[seed=1]': 1,
      'per_seed[seed=3]': 1,
      gathered: 1,
    });
  });

  it('--variant seed=2 computes exactly the seed=2 part of the full run, which reuses it', async () => {
    const markers = join(dir, 'm-variant');
    const env = { SERX_TEST_MARKERS: markers, SERX_CACHE: join(dir, 'cache-variant') };
    const one = await serx(['run', 'spec.yaml', '--variant', 'seed=2', '--json'], env, dir);
    expect(one.code).toBe(0);
    const oneKeys = await runKeys(one.stdout);
    // the seed=2 node and what it needs; not the other seeds, not what gathers every seed
    expect(Object.keys(oneKeys)).toEqual(['base', 'per_seed[seed=2]']);
    expect(await executions(markers)).toEqual({ base: 1, 'per_seed[seed=2]': 1 });

    const full = await serx(['run', 'spec.yaml', '--json'], env, dir);
    expect(full.code).toBe(0);
    const fullKeys = await runKeys(full.stdout);
    expect(fullKeys.base).toBe(oneKeys.base);
    expect(fullKeys['per_seed[seed=2]']).toBe(oneKeys['per_seed[seed=2]']);
    // the full run computed only what the variant run had not
    expect(await executions(markers)).toEqual({
      base: 1,
      'per_seed[seed=1]': 1,
      'per_seed[seed=2]': 1,
      'per_seed[seed=3]': 1,
      gathered: 1,
    });
    const states = full.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'state' && (e.state === 'cached' || e.state === 'succeeded'))
      .map((e) => `${e.id} ${e.state}`)
      .sort();
    expect(states).toEqual([
      'base cached',
      'gathered succeeded',
      'per_seed[seed=1] succeeded',
      'per_seed[seed=2] cached',
      'per_seed[seed=3] succeeded',
    ]);
    // plan --variant agrees: the seed=3 part is now all cached
    const plan = await serx(['plan', 'spec.yaml', '--variant', 'seed=3', '--json'], env, dir);
    expect(JSON.parse(plan.stdout).counts).toEqual({ hit: 2, miss: 0, pending: 0 });
  });
});
