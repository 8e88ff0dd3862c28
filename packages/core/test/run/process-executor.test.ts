import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGraph } from '../../src/index.ts';
import { ProcessExecutor } from '../../src/run/process-executor.ts';
import { diamond, makeGraph } from '../fixtures/run-plugin/graph.ts';
import { tempDir } from './helpers.ts';

const modules = { '@serx/test-run-plugin': join(import.meta.dirname, '../fixtures/run-plugin/stages.ts') };

/** Process ids the test stages ran in: their marker files are `<id>.<pid>.<random>`. */
async function pids(markers: string): Promise<Map<string, string>> {
  const names = await readdir(markers);
  return new Map(names.map((n) => [n.split('.')[0] as string, n.split('.')[1] as string]));
}

describe('ProcessExecutor', () => {
  it('runs stages in child processes with the in-process outputs, reusing a process a stage left clean', async () => {
    const dir = await tempDir();
    const reused = await runGraph(diamond('p', join(dir, 'm1')), {
      cache: join(dir, 'c1'),
      executor: new ProcessExecutor({ modules }),
      jobs: 1,
    });
    const fresh = await runGraph(diamond('p', join(dir, 'm2')), {
      cache: join(dir, 'c2'),
      executor: new ProcessExecutor({ modules, keepIdle: 0 }),
      jobs: 1,
    });
    const inProcess = await runGraph(diamond('p', join(dir, 'm3')), { cache: join(dir, 'c3'), jobs: 1 });
    expect([reused.status, fresh.status]).toEqual(['succeeded', 'succeeded']);
    const outputs = (s: typeof reused) => Object.values(s.stages).map((st) => st.outputs);
    expect(outputs(reused)).toEqual(outputs(inProcess));
    expect(outputs(fresh)).toEqual(outputs(inProcess));

    const one = await pids(join(dir, 'm1'));
    expect(new Set(one.values()).size).toBe(1);
    expect([...one.values()][0]).not.toBe(String(process.pid));
    expect(new Set((await pids(join(dir, 'm2'))).values()).size).toBe(4);
  }, 120_000);

  it('kills a stage that ignores the abort after the grace period', async () => {
    const dir = await tempDir();
    const controller = new AbortController();
    // the source stage sleeps 10 minutes on ctx.signal; a grace of 0 ms kills it before it can react:
    // the run ends (well within the test's timeout) with the stage interrupted and the cache clean
    const slow = makeGraph('ps', { a: { uses: 'test:source', params: { value: 1, delayMs: 600_000 } } });
    const aborted = await runGraph(slow, {
      cache: join(dir, 'c'),
      executor: new ProcessExecutor({ modules, graceMs: 0 }),
      signal: controller.signal,
      onEvent: (e) =>
        e.type === 'state' &&
        e.state === 'running' &&
        setTimeout(() => controller.abort(new Error('stop')), 200),
    });
    expect(aborted.stages.a?.status).toBe('interrupted');
    expect(await readdir(join(dir, 'c', 'tmp'))).toEqual([]);
  }, 60_000);
});
