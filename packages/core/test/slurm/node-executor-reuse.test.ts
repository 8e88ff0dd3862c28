// `--reuse-across-code-change` under node executors (a job per node): the decision is the
// runner's, made before it submits anything. Always on `local-jobs` (detached
// processes on this machine); on Slurm when a cluster answers (bash scripts/slurm-local.sh up).
import { cp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCache } from '../../src/cache/cache.ts';
import { loadSpec } from '../../src/graph/load-spec.ts';
import type { BatchExecutor } from '../../src/run/executors/batch-executor.ts';
import { createExecutor } from '../../src/run/executors/registry.ts';
import { runGraph } from '../../src/run/run-graph.ts';
import { executions, tempDir } from '../run/helpers.ts';
import { serx, slurmUp, specs } from './slurm-cluster.ts';

const root = join(import.meta.dirname, '../../../..');

const SPEC = `name: node-reuse
plugins: [./plugin/index.ts]
executor: { poll: 0.5, resources: { mem: 300M, time: "5:00" } }
vars: { markers: "\${env.SERX_TEST_MARKERS}" }
stages:
  make: { uses: code:make, params: { value: 3, markers: "\${vars.markers}" } }
  square: { uses: code:shape, params: { shape: square, markers: "\${vars.markers}" }, inputs: { data: make.data } }
`;

const kinds = ['local-jobs', ...(slurmUp() ? ['slurm'] : [])];

describe.each(kinds)('--executor %s', (kind) => {
  it('--reuse-across-code-change reuses the entry instead of submitting a job', async () => {
    const dir = await tempDir(`serx-node-reuse-${kind}-`);
    await cp(join(import.meta.dirname, '../fixtures/code-plugin'), join(dir, 'plugin'), { recursive: true });
    await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
    const spec = join(dir, 'spec.yaml');
    await writeFile(spec, SPEC);
    const markers = join(dir, 'markers');
    await mkdir(markers);
    const env = {
      SERX_CACHE: join(dir, 'cache'),
      SERX_TEST_MARKERS: markers,
      SERX_LOCAL_JOBS: join(dir, 'jobs'),
    };
    const run = (...args: string[]) => serx(['run', spec, '--executor', kind, ...args], env).done;

    const first = await run();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`square: ${kind} job \\d+`));
    expect(await executions(markers)).toEqual({ make: 1, square: 1 });

    const square = join(dir, 'plugin', 'shapes', 'square.ts');
    await writeFile(square, (await readFile(square, 'utf8')).replace('value ** 2', 'value ** 2 + 0'));
    const reused = await run('--reuse-across-code-change', 'square');
    expect(reused.code, reused.stderr).toBe(0);
    expect(reused.stdout).toMatch(
      /square: cached .*reused entry [0-9a-f]{12} across a code change \(code changed: code-plugin\/shapes\/square\.ts\)/,
    );
    expect(reused.stdout).not.toMatch(/square: \S+ job \d+/); // nothing submitted
    expect(await executions(markers)).toEqual({ make: 1, square: 1 });
    const record = JSON.parse(
      await readFile(reused.stdout.match(/record (\S+\.json)/)?.[1] as string, 'utf8'),
    );
    expect(record.stages.square).toMatchObject({
      status: 'cached',
      reusedAcrossCodeChange: { changes: ['code changed: code-plugin/shapes/square.ts'] },
    });
    expect(record.options).toMatchObject({ executor: kind, reuseAcrossCodeChange: ['square'] });
  }, 180_000);
});

describe('a node executor and a read-only cache', () => {
  it('fails a miss before submitting anything, as a stage executor does', async () => {
    const dir = await tempDir('serx-node-readonly-');
    const graph = await loadSpec(join(specs, 'chain.yaml'), {
      env: { ...process.env, SERX_TEST_MARKERS: join(dir, 'm') },
    });
    const cache = await openCache(join(dir, 'cache'));
    cache.readOnly = 'a test says so';
    process.env.SERX_LOCAL_JOBS = join(dir, 'jobs');
    const executor = (await createExecutor({
      settings: { kind: 'local-jobs', from: 'test', poll: 0.5 },
      graph,
      cache,
      cwd: specs,
    })) as BatchExecutor;
    const summary = await runGraph(graph, { cache, executor, only: ['a'] });
    expect(summary.stages.a?.status).toBe('failed');
    expect(summary.errors[0]?.code).toBe('ENVIRONMENT');
    expect(summary.errors[0]?.message).toMatch(
      /is not in the cache and must be computed, but the cache .* is read-only \(a test says so\)/,
    );
    expect(executor.submitted.size).toBe(0);
  }, 60_000);
});
