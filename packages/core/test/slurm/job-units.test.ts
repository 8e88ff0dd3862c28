// Which nodes share a cluster job (run/executors/job-units.ts): automatic light chains, `group:`,
// groupComponents, job-array classes, and the errors of a group that cannot be one job.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/graph/load-spec.ts';
import type { Graph } from '../../src/graph/types.ts';
import { executorSettings } from '../../src/run/executors/executor-config.ts';
import { jobUnits } from '../../src/run/executors/job-units.ts';
import { timeMinutes, unitResources } from '../../src/run/executors/resources.ts';
import { tempDir } from '../run/helpers.ts';
import { serx, specs } from './slurm-cluster.ts';

const plugin = join(specs, '../run-plugin/stages.ts');

async function spec(text: string): Promise<Graph> {
  const dir = await tempDir('serx-units-');
  const file = join(dir, 'spec.yaml');
  await writeFile(file, `name: units\nplugins: [${plugin}]\n${text}`);
  return loadSpec(file, { env: {} });
}

function units(graph: Graph, overrides: object = {}, selected = graph.order) {
  const settings = { ...executorSettings(graph.spec, { cwd: '/', env: {} }), ...overrides };
  const { units } = jobUnits(graph, selected, settings);
  return units.map((u) => ({
    id: u.id,
    members: u.members,
    ...(u.external.length ? { external: u.external } : {}),
    ...(u.arrayClass ? { array: true } : {}),
  }));
}

describe('job units', () => {
  it('groups.yaml: a light stage joins its one upstream, a group is one job, matrix chains are array siblings', async () => {
    const graph = await loadSpec(join(specs, 'groups.yaml'), { env: { SERX_TEST_MARKERS: '/m' } });
    expect(units(graph)).toEqual([
      { id: 'a+1', members: ['a', 'a_sum'] },
      { id: 'g', members: ['b', 'b_sum'], external: ['late'] },
      { id: 'late', members: ['late'] },
      { id: 'total', members: ['total'], external: ['a_sum', 'b_sum'] },
      { id: 'v[x=3]+1', members: ['v[x=3]', 'w[x=3]'], array: true },
      { id: 'v[x=4]+1', members: ['v[x=4]', 'w[x=4]'], array: true },
      { id: 'v[x=5]+1', members: ['v[x=5]', 'w[x=5]'], array: true },
    ]);
    // explicit: only `group:`; off: one job per node (as before groups)
    expect(units(graph, { grouping: 'explicit' }).map((u) => u.id)).toEqual([
      'a',
      'a_sum',
      'g',
      'late',
      'total',
      'v[x=3]',
      'v[x=4]',
      'v[x=5]',
      'w[x=3]',
      'w[x=4]',
      'w[x=5]',
    ]);
    expect(units(graph, { grouping: 'off' })).toHaveLength(12);
    // a selection: only what runs is grouped
    expect(units(graph, {}, ['b', 'late', 'b_sum']).map((u) => u.members)).toEqual([
      ['b', 'b_sum'],
      ['late'],
    ]);
  });

  it('serx plan --executor slurm shows each group once, with its sbatch line, and its other stages as in it', async () => {
    const dir = await tempDir('serx-units-plan-');
    const env = { SERX_CACHE: join(dir, 'cache'), SERX_TEST_MARKERS: join(dir, 'm') };
    const { code, stdout, stderr } = await serx(['plan', 'groups.yaml', '--executor', 'slurm'], env).done;
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(
      /slurm job group g \(2 nodes\): --job-name=serx-<hash>-g --output=\S+\.slurm-%j\.log --chdir=\S+ --export=ALL --ntasks=1 --cpus-per-task=1 --mem=300M --time=00:10:00/,
    );
    expect(stdout).toMatch(/b_sum +\?+ +test:sum\n(.*\n)*? +↳ in slurm job group g\n/);
    expect(stdout).toMatch(/total +\?+ +test:sum\n(.*\n)*? +↳ slurm job: --job-name=serx-<key>-total/);
  });

  it('a light stage reading from two nodes, and a heavy one, run alone; a stage of the spec can declare itself light', async () => {
    const graph = await spec(`stages:
  a: { uses: test:source, params: { value: 1 } }
  b: { uses: test:source, params: { value: 2 } }
  heavy: { uses: test:sum, inputs: { values: [a.data] } }
  both: { uses: test:sum, inputs: { values: [a.data, b.data] }, resources: { class: light } }
  light: { uses: test:sum, inputs: { values: [heavy.data] }, resources: { class: light } }
`);
    expect(units(graph).map((u) => u.members)).toEqual([['a'], ['b'], ['heavy', 'light'], ['both']]);
  });

  it('group: connected parts are separate jobs unless groupComponents merges them; matrix variants of a group', async () => {
    const graph = await spec(`matrix: { s: [1, 2] }
stages:
  a: { uses: test:source, group: feat, params: { value: 1 } }
  a2: { uses: test:sum, group: feat, inputs: { values: [a.data] } }
  b: { uses: test:source, group: feat, params: { value: 2 } }
  b2: { uses: test:sum, group: feat, inputs: { values: [b.data] } }
  t: { uses: test:sum, group: train, seed: "\${matrix.s}", inputs: { values: [a2.data, b2.data] } }
  e: { uses: test:sum, group: train, inputs: { values: [t.data] } }
`);
    expect(units(graph)).toEqual([
      { id: 'feat:a', members: ['a', 'a2'] },
      { id: 'feat:b', members: ['b', 'b2'] },
      { id: 'train:t[s=1]', members: ['t[s=1]', 'e[s=1]'], external: ['a2', 'b2'], array: true },
      { id: 'train:t[s=2]', members: ['t[s=2]', 'e[s=2]'], external: ['a2', 'b2'], array: true },
    ]);
    expect(units(graph, { groupComponents: { feat: 2, train: 5 } })).toEqual([
      { id: 'feat', members: ['a', 'a2', 'b', 'b2'] },
      { id: 'train', members: ['t[s=1]', 't[s=2]', 'e[s=1]', 'e[s=2]'], external: ['a2', 'b2'] },
    ]);
  });

  it('a group with a stage outside it between two of its stages is SPEC_INVALID, naming that stage', async () => {
    const graph = await spec(`stages:
  a: { uses: test:source, group: g, params: { value: 1 } }
  x: { uses: test:sum, inputs: { values: [a.data] } }
  b: { uses: test:sum, group: g, inputs: { values: [x.data, a.data] } }
`);
    expect(() => units(graph)).toThrow(
      /group 'g': 'x' is not in the group but reads from one of its stages and feeds another/,
    );
    // stages of one group must fit one job
    const gpu = await spec(`stages:
  a: { uses: test:source, group: g, params: { value: 1 }, resources: { gres: "gpu:1" } }
  b: { uses: test:sum, group: g, inputs: { values: [a.data] }, resources: { gres: "gpu:2" } }
`);
    expect(() => units(gpu)).toThrow(/group 'g': its stages ask for different partitions/);
  });

  it('a bad group name is SPEC_INVALID at its path', async () => {
    const graph = await spec(`stages:
  a: { uses: test:source, group: "no spaces", params: { value: 1 } }
`);
    expect(() => executorSettings(graph.spec, { cwd: '/', env: {} })).toThrow(
      /stages\.a\.group: a group name/,
    );
  });

  it("a group's resources: most CPUs and memory, the sum of the time limits; conflicts are refused", () => {
    expect(timeMinutes('1-02:03:04')).toBeCloseTo(24 * 60 + 123 + 4 / 60);
    expect(timeMinutes('5:30')).toBe(5.5);
    expect(timeMinutes('2:00:00')).toBe(120);
    expect(timeMinutes(90)).toBe(90);
    expect(
      unitResources([
        { cpus: 1, mem: '2G', time: '1:00:00', partition: 'cpu' },
        { cpus: 4, mem: '500M', time: 30 },
        { mem: '3G', time: '23:30:00' },
      ]),
    ).toEqual({ cpus: 4, mem: '3G', time: '1-01:00:00', partition: 'cpu' });
    expect(unitResources([{ partition: 'cpu' }, { partition: 'gpu' }])).toBeUndefined();
  });
});
