// An overridden run (`serx run --set …`) is compared as a method of its own, never as a newer
// replicate of the spec's own runs (which would silently replace them in the table).
import { expect, it } from 'vitest';
import { buildCompareTable, methodOf } from './compare-table.ts';
import { setOverrides, type TrackedRun } from './tracked-runs.ts';

const run = (id: string, seed: number, ua: number, overrides: string[], startTime: number): TrackedRun => ({
  runId: id,
  name: `eval_scratch seed=${seed}`,
  nodeId: `eval_scratch[seed=${seed}]`,
  stageId: 'eval_scratch',
  stage: 'analysis:evaluate',
  variant: { seed },
  parentRunId: 'p',
  status: 'FINISHED',
  cacheHit: 'false',
  startTime,
  params: {},
  metrics: { 'ua.tess': ua },
  overrides,
});

it('keeps runs with --set overrides apart from the spec’s own; --matrix alone does not', () => {
  const parent = { ...run('p', 0, 0, [], 0), parentRunId: undefined, params: { heldOut: '["tess"]' } };
  const five = ['--set ser_scratch.epochs=5'];
  // newest first, as MLflow returns them
  const runs = [
    run('o1', 1, 0.9, setOverrides(JSON.stringify([...five, '--matrix seed=1'])), 30),
    run('m1', 1, 0.61, setOverrides(JSON.stringify(['--matrix seed=1'])), 20), // `--matrix seed=1`: the spec's own seed 1 (no --set kept)
    run('a2', 2, 0.55, [], 10),
    parent,
  ];
  expect(methodOf(runs[0]!)).toBe('eval_scratch {--set ser_scratch.epochs=5}');
  const table = buildCompareTable({ experimentId: '1', uiUrl: 'u', runs }, {});
  expect(table.rows.map((r) => [r.method, r.cells[0]?.values])).toEqual([
    ['eval_scratch', [0.61, 0.55]],
    ['eval_scratch {--set ser_scratch.epochs=5}', [0.9]],
  ]);
});

it('reads the --set entries of the serx.overrides tag, tolerating what is not a list', () => {
  expect(setOverrides('["--set a.b=1","--matrix seed=1","--variant seed=2"]')).toEqual(['--set a.b=1']);
  expect(setOverrides(undefined)).toEqual([]);
  expect(setOverrides('not json')).toEqual([]);
});
