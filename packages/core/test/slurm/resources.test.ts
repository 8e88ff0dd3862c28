// Resource mapping and executor selection: the layers, their order, and errors naming the file.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GraphNode, ResolvedSpec } from '../../src/graph/types.ts';
import { executorSettings } from '../../src/run/executors/executor-config.ts';
import { jobResources } from '../../src/run/executors/resources.ts';
import { sbatchArgs } from '../../src/run/executors/slurm/slurm-scheduler.ts';
import { tempDir } from '../run/helpers.ts';

const node = (stageId: string, cls?: 'light' | 'io' | 'cpu-heavy') =>
  ({
    id: stageId,
    stageId,
    definition: { resources: cls ? { class: cls } : undefined },
  }) as unknown as GraphNode;

const spec = (document: object): ResolvedSpec => ({
  name: 'x',
  file: '/specs/x.yaml',
  files: ['/specs/x.yaml'],
  heldOut: [],
  plugins: [],
  tracking: undefined,
  document: document as ResolvedSpec['document'],
});

describe('job resources', () => {
  it('class defaults, then spec-wide, then per class, then the stage, field by field', async () => {
    const dir = await tempDir('serx-res-');
    const settings = executorSettings(
      spec({
        executor: {
          kind: 'slurm',
          resources: { partition: 'cpu', account: 'ser-lab', time: '2:00:00' },
          classes: { 'cpu-heavy': { cpus: 16, mem: '64G', gres: 'gpu:1', partition: 'gpu' } },
        },
        stages: {
          ae: { uses: 'autoencoder:train', resources: { time: '2-00:00:00', extra: ['--constraint=a100'] } },
        },
      }),
      { cwd: dir, env: {} },
    );
    expect(sbatchArgs(jobResources(node('ingest'), settings))).toEqual([
      '--ntasks=1',
      '--cpus-per-task=1',
      '--mem=2G',
      '--time=2:00:00',
      '--partition=cpu',
      '--account=ser-lab',
    ]);
    expect(sbatchArgs(jobResources(node('ae', 'cpu-heavy'), settings))).toEqual([
      '--ntasks=1',
      '--cpus-per-task=16',
      '--mem=64G',
      '--time=2-00:00:00',
      '--gres=gpu:1',
      '--partition=gpu',
      '--account=ser-lab',
      '--constraint=a100',
    ]);
    expect(jobResources(node('mfcc', 'io'), { kind: 'slurm', from: 'test' })).toEqual({
      cpus: 1,
      mem: '4G',
      time: '4:00:00',
    });
  });

  it('kind: --executor, then $SERX_EXECUTOR, then the spec, then serx.config.yaml; settings merge config < spec', async () => {
    const dir = await tempDir('serx-conf-');
    await mkdir(join(dir, 'sub'));
    await writeFile(
      join(dir, 'serx.config.yaml'),
      'executor:\n  kind: slurm\n  poll: 10\n  resources: { account: lab, qos: long }\n',
    );
    const cwd = join(dir, 'sub');
    const plain = spec({});
    expect(executorSettings(plain, { cwd, env: {} })).toMatchObject({
      kind: 'slurm',
      from: `${join(dir, 'serx.config.yaml')} executor.kind`,
      poll: 10,
      resources: { account: 'lab', qos: 'long' },
    });
    const withSpec = spec({ executor: { kind: 'in-process', resources: { qos: 'short' } } });
    expect(executorSettings(withSpec, { cwd, env: {} })).toMatchObject({
      kind: 'in-process',
      resources: { account: 'lab', qos: 'short' },
    });
    expect(executorSettings(withSpec, { cwd, env: { SERX_EXECUTOR: 'slurm' } }).kind).toBe('slurm');
    expect(executorSettings(withSpec, { cwd, env: { SERX_EXECUTOR: 'slurm' } }, 'workers').kind).toBe(
      'workers',
    );
    expect(executorSettings(plain, { cwd: '/', env: {} })).toEqual({ kind: 'process', from: 'default' });
  });

  it('bad settings are errors naming the file and the path', async () => {
    const dir = await tempDir('serx-conf-bad-');
    expect(() =>
      executorSettings(spec({ stages: { ae: { resources: { cpus: 0 } } } }), { cwd: dir, env: {} }),
    ).toThrow('/specs/x.yaml: stages.ae.resources.cpus: must be >= 1');
    expect(() =>
      executorSettings(spec({ executor: { kind: 'slurm', resources: { mem: 'lots' } } }), {
        cwd: dir,
        env: {},
      }),
    ).toThrow('/specs/x.yaml: executor.resources.mem: must match pattern "^\\d+[KMGT]?$"');
    expect(() => executorSettings(spec({}), { cwd: dir, env: { SERX_EXECUTOR: 'k8s' } })).toThrow(
      "$SERX_EXECUTOR: unknown executor 'k8s' (one of in-process, process, workers, slurm, local-jobs)",
    );
  });
});

describe('sbatch filename patterns', () => {
  it('escapes every % of a path in --output (sbatch expands %j, %x, %u...), keeps --chdir and --job-name literal', async () => {
    const { sbatchJobArgs } = await import('../../src/run/executors/slurm/slurm-scheduler.ts');
    const { JOB_ID } = await import('../../src/run/executors/batch-scheduler.ts');
    expect(
      sbatchJobArgs({
        name: 'serx-0123-a%x',
        log: `/data/cache %j %x 100%/work/k.slurm-${JOB_ID}.log`,
        cwd: '/study %u',
        args: ['--mem=1G'],
      }),
    ).toEqual([
      '--job-name=serx-0123-a%x',
      '--output=/data/cache %%j %%x 100%%/work/k.slurm-%j.log',
      '--chdir=/study %u',
      '--export=ALL',
      '--mem=1G',
    ]);
  });
});
