// Overrides as MLflow shows them, on a real server (the project's venv), no mocks: the parent
// run's tag and params, the children's tag, spec/resolved.yaml, and `serx compare --runs`.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { CliIO } from '../../src/index.ts';
import { MlflowClient, type MlflowRun } from '../../src/tracking/mlflow-client.ts';
import { type MlflowServer, startMlflowServer } from '../../src/tracking/mlflow-server.ts';
import { tempDir } from '../run/helpers.ts';

const plugin = join(import.meta.dirname, '../fixtures/plugin/index.ts');

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

const tag = (run: MlflowRun, key: string) => run.data.tags?.find((t) => t.key === key)?.value;
const param = (run: MlflowRun, key: string) => run.data.params?.find((p) => p.key === key)?.value;

let server: MlflowServer;
let dir: string;

beforeAll(async () => {
  dir = await tempDir('serx-overrides-mlflow-');
  server = await startMlflowServer({ dir: join(dir, 'server') });
}, 120_000);
afterAll(async () => server?.stop(), 60_000);

describe('overrides in MLflow', { timeout: 120_000 }, () => {
  it('tags every run, logs one param per override, lists them in spec/resolved.yaml, and compare --runs shows them', async () => {
    await writeFile(
      join(dir, 'spec.yaml'),
      `name: overrides-mlflow
plugins: ['${plugin}']
matrix: { seed: [1, 2] }
stages:
  src: { uses: test:source, params: { corpus: emodb } }
  train:
    uses: test:train
    seed: \${matrix.seed}
    params: { epochs: 2 }
    inputs: { data: [src.numbers] }
`,
    );
    const env = { SERX_CACHE: join(dir, 'cache'), MLFLOW_TRACKING_URI: server.uri };
    const overridden = await serx(
      ['run', 'spec.yaml', '--set', 'train.epochs=3', '--matrix', 'seed=1', '--json'],
      env,
      dir,
    );
    expect(overridden.stderr).toBe('');
    expect(overridden.code).toBe(0);
    const plain = await serx(['run', 'spec.yaml', '--matrix', 'seed=1', '--json'], env, dir);
    expect(plain.code).toBe(0);

    const client = new MlflowClient(server.uri);
    const experiment = await client.getExperimentByName('overrides-mlflow');
    const runs = await client.searchRuns([experiment!.experiment_id]);
    const parents = runs.filter((r) => !tag(r, 'mlflow.parentRunId'));
    expect(parents).toHaveLength(2);
    const withSet = parents.find((r) => tag(r, 'serx.overrides')?.includes('--set'))!;
    const withoutSet = parents.find((r) => r !== withSet)!;
    expect(JSON.parse(tag(withSet, 'serx.overrides')!)).toEqual(['--set train.epochs=3', '--matrix seed=1']);
    expect(JSON.parse(tag(withoutSet, 'serx.overrides')!)).toEqual(['--matrix seed=1']);
    expect(param(withSet, 'override.stages.train.params.epochs')).toBe('3');
    expect(param(withSet, 'override.matrix.seed')).toBe('[1]');
    expect(param(withSet, 'matrix.seed')).toBe('[1]');

    const child = runs.find((r) => tag(r, 'mlflow.parentRunId') === withSet.info.run_id)!;
    expect(tag(child, 'mlflow.runName')).toBe('train seed=1');
    expect(tag(child, 'serx.overrides')).toBe(tag(withSet, 'serx.overrides'));
    expect(param(child, 'train.epochs')).toBe('3');

    const response = await fetch(
      `${server.uri}/get-artifact?path=${encodeURIComponent('spec/resolved.yaml')}&run_uuid=${withSet.info.run_id}`,
    );
    expect(response.status).toBe(200);
    const resolved = await response.text();
    expect(resolved).toContain(
      '# Overrides applied over spec.yaml (serx ... --set train.epochs=3 --matrix seed=1):\n# --set #1: stages.train.params.epochs = 3\n# --matrix #1: matrix.seed = [1]\n',
    );
    expect(resolved).toMatch(/train:\n(.*\n)*? {6}epochs: 3\n/);

    const parentsDiff = await serx(
      ['compare', 'overrides-mlflow', '--runs', `${withSet.info.run_id},${withoutSet.info.run_id}`],
      env,
      dir,
    );
    expect(parentsDiff.code).toBe(0);
    expect(parentsDiff.stdout).toMatch(/^override\.stages\.train\.params\.epochs +3 +\(absent\)$/m);
    const otherChild = runs.find((r) => tag(r, 'mlflow.parentRunId') === withoutSet.info.run_id)!;
    const childrenDiff = await serx(
      ['compare', 'overrides-mlflow', '--runs', `${child.info.run_id},${otherChild.info.run_id}`],
      env,
      dir,
    );
    expect(childrenDiff.stdout).toMatch(/^epochs +3 +2$/m);
  });
});
