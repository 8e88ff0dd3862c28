import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCache, type RunEvent, runGraph, WorkerThreadExecutor } from '../../src/index.ts';
import { diamond, makeGraph } from '../fixtures/run-plugin/graph.ts';
import { executions, tempDir } from './helpers.ts';

const modules = { '@serx/test-run-plugin': join(import.meta.dirname, '../fixtures/run-plugin/stages.ts') };

describe('WorkerThreadExecutor', () => {
  it('runs stages in worker threads with the same keys and outputs, relaying progress and metrics', async () => {
    const dir = await tempDir();
    const events: RunEvent[] = [];
    const metrics: string[] = [];
    const summary = await runGraph(diamond('w', join(dir, 'm')), {
      cache: join(dir, 'c'),
      executor: new WorkerThreadExecutor({ modules }),
      jobs: 2,
      threads: 2,
      onEvent: (e) => events.push(e),
      trackers: [
        {
          runStarted() {},
          stageStarted() {},
          metric: (id, name, value) => void metrics.push(`${id} ${name}=${value}`),
          tag() {},
          artifact() {},
          stageFinished() {},
          runFinished() {},
          close: async () => {},
        },
      ],
    });
    expect(summary.status).toBe('succeeded');
    const inProcess = await runGraph(diamond('w', join(dir, 'm2')), { cache: join(dir, 'c2') });
    // markers dir is a param, so keys differ; outputs must not
    expect(Object.values(summary.stages).map((s) => s.outputs)).toEqual(
      Object.values(inProcess.stages).map((s) => s.outputs),
    );
    expect(await executions(join(dir, 'm'))).toEqual({ a: 1, b: 1, ab: 1, total: 1 });
    expect(metrics.sort()).toEqual(['ab total=13', 'total total=14']);
    expect(events.some((e) => e.type === 'progress' && e.id === 'ab' && e.done === 2 && e.total === 2)).toBe(
      true,
    );
    const cache = await openCache(join(dir, 'c'));
    expect(
      await readFile(join(cache.entryPath(summary.stages.ab?.key as string), 'log/sub/threads.txt'), 'utf8'),
    ).toBe('2\n');
  }, 30_000);

  it('wraps a worker-side exception as STAGE_FAILED and aborts a worker stage', async () => {
    const dir = await tempDir();
    const graph = makeGraph('wf', { a: { uses: 'test:source', params: { value: 1, fail: true } } });
    const failed = await runGraph(graph, {
      cache: join(dir, 'c'),
      executor: new WorkerThreadExecutor({ modules }),
    });
    expect(failed.errors[0]?.message).toBe("stage 'a' (test:source) failed: source a told to fail");
    expect((failed.errors[0]?.cause as Error | undefined)?.stack).toContain('stages.ts');

    const controller = new AbortController();
    // a 10-minute stage: the run ends (well within the test's timeout) only if the abort stops it
    const slow = makeGraph('ws', { a: { uses: 'test:source', params: { value: 1, delayMs: 600_000 } } });
    const aborted = await runGraph(slow, {
      cache: join(dir, 'c'),
      executor: new WorkerThreadExecutor({ modules }),
      signal: controller.signal,
      onEvent: (e) =>
        e.type === 'state' &&
        e.state === 'running' &&
        setTimeout(() => controller.abort(new Error('stop')), 200),
    });
    expect(aborted.status).toBe('interrupted');
    expect(aborted.stages.a?.status).toBe('interrupted');
  }, 30_000);
});
