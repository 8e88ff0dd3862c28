import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Graph, openCache, planGraph, runGraph } from '../../src/index.ts';
import { diamond, makeGraph } from '../fixtures/run-plugin/graph.ts';
import { executions, tempDir } from './helpers.ts';

const brief = (plan: Awaited<ReturnType<typeof planGraph>>) =>
  plan.nodes.map((n) => [n.id, n.status, ...n.reasons]);

function withParam(graph: Graph, id: string, params: object): Graph {
  const node = graph.nodes.get(id) as { params: object };
  node.params = { ...node.params, ...params };
  return graph;
}

describe('planGraph', () => {
  it('says hit / miss / pending and why, versus the last run, without running anything', async () => {
    const dir = await tempDir();
    const markers = join(dir, 'm');
    const cache = await openCache(join(dir, 'c'));
    expect(brief(await planGraph(diamond('p', markers), cache))).toEqual([
      ['a', 'miss', 'no previous run of this stage recorded for this spec'],
      ['b', 'miss', 'no previous run of this stage recorded for this spec'],
      [
        'ab',
        'pending',
        'no previous run of this stage recorded for this spec',
        "waits for 'a', 'b' to run; hits if their outputs come out unchanged",
      ],
      [
        'total',
        'pending',
        'no previous run of this stage recorded for this spec',
        "waits for 'ab', 'a' to run; hits if their outputs come out unchanged",
      ],
    ]);
    const first = await runGraph(diamond('p', markers), { cache });
    const plan = await planGraph(diamond('p', markers), cache);
    expect(plan.counts).toEqual({ hit: 4, miss: 0, pending: 0 });
    expect(plan.nodes.map((n) => n.key)).toEqual(Object.values(first.stages).map((s) => s.key));

    const changed = withParam(withParam(diamond('p', markers), 'b', { value: 5 }), 'total', { add: 3 });
    expect(brief(await planGraph(changed, cache))).toEqual([
      ['a', 'hit'],
      ['b', 'miss', 'param value: 2 → 5'],
      ['ab', 'pending', "waits for 'b' to run; hits if their outputs come out unchanged"],
      [
        'total',
        'pending',
        'param add: 0 → 3',
        "waits for 'ab' to run; hits if their outputs come out unchanged",
      ],
    ]);
    expect(await executions(markers)).toEqual({ a: 1, b: 1, ab: 1, total: 1 });

    await runGraph(withParam(diamond('p', markers), 'b', { value: 5 }), { cache });
    // b=2 is still cached from the first run; a changed
    const back = await planGraph(withParam(diamond('p', markers), 'a', { delayMs: 1 }), cache, {
      only: ['ab'],
    });
    expect(brief(back)).toEqual([
      ['a', 'miss', 'param delayMs: 0 → 1'],
      ['b', 'hit'],
      ['ab', 'pending', "waits for 'a' to run; hits if their outputs come out unchanged"],
    ]);
    // back to b=2 (hits from the first run) but a new total: compared with the b=5 run
    const reverted = await planGraph(withParam(diamond('p', markers), 'total', { add: 1 }), cache);
    expect(brief(reverted)).toEqual([
      ['a', 'hit'],
      ['b', 'hit'],
      ['ab', 'hit'],
      ['total', 'miss', 'param add: 0 → 1', 'input values[0] (ab.data) changed content'],
    ]);
  });

  it('explains a miss whose key did not change (entry removed) and a corrupt entry', async () => {
    const dir = await tempDir();
    const cache = await openCache(join(dir, 'c'));
    const summary = await runGraph(diamond('q', join(dir, 'm')), { cache });
    await cache.removeEntry(summary.stages.total?.key as string);
    const plan = await planGraph(diamond('q', join(dir, 'm')), cache);
    expect(plan.nodes[3]?.reasons).toEqual([
      'same key as the last run, but the entry is gone (collected by gc or removed)',
    ]);
    const upgraded = diamond('q', join(dir, 'm'));
    const node = upgraded.nodes.get('a') as { definition: object; plugin: object };
    node.definition = { ...node.definition, version: '2' };
    node.plugin = { name: '@serx/test-run-plugin', version: '0.0.2' };
    expect((await planGraph(upgraded, cache)).nodes[0]?.reasons).toEqual([
      'plugin @serx/test-run-plugin@0.0.1 → @serx/test-run-plugin@0.0.2',
      'stage version 1 → 2',
    ]);
  });

  it('puts external data in the key through the fingerprint', async () => {
    const dir = await tempDir();
    const file = join(dir, 'number.txt');
    await writeFile(file, '7');
    const cache = await openCache(join(dir, 'c'));
    const graph = () =>
      makeGraph('fp', { r: { uses: 'test:read', params: { file, markers: join(dir, 'm') } } });
    const first = await runGraph(graph(), { cache });
    expect(first.stages.r?.keyInput?.fingerprint).toMatch(/^1:\d+(\.\d+)?$/);
    expect((await planGraph(graph(), cache)).nodes[0]?.status).toBe('hit');
    await writeFile(file, '42');
    expect(brief(await planGraph(graph(), cache))).toEqual([
      ['r', 'miss', 'external data changed (fingerprint differs)'],
    ]);
    await runGraph(graph(), { cache });
    expect(await executions(join(dir, 'm'))).toEqual({ r: 2 });

    await rm(file);
    const missing = await runGraph(graph(), { cache });
    expect(missing.errors[0]?.message).toMatch(/^stage 'r' \(test:read\) failed: ENOENT/);
  });
});
