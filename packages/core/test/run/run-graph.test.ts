import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  InProcessExecutor,
  openCache,
  type RunEvent,
  type RunRecord,
  runGraph,
  type StageContext,
  type Tracker,
} from '../../src/index.ts';
import { diamond, makeGraph } from '../fixtures/run-plugin/graph.ts';
import { executions, tempDir } from './helpers.ts';

const storedValue = async (path: string) =>
  JSON.parse(await readFile(join(path, 'value.json'), 'utf8')).value;

describe('runGraph', () => {
  it('computes a diamond once, then reuses every stage from the cache', async () => {
    const dir = await tempDir();
    const markers = join(dir, 'markers');
    const cache = await openCache(join(dir, 'cache'));
    const graph = diamond('diamond', markers);
    const first = await runGraph(graph, { cache, jobs: 2 });
    expect(first.status).toBe('succeeded');
    expect(first.counts).toEqual({ cached: 0, succeeded: 4, failed: 0, skipped: 0, interrupted: 0 });
    const total = first.stages.total;
    expect(await storedValue(join(cache.entryPath(total?.key as string), 'data'))).toBe(1 + 2 + 10 + 1);

    const second = await runGraph(diamond('diamond', markers), { cache });
    expect(second.counts.cached).toBe(4);
    expect(await executions(markers)).toEqual({ a: 1, b: 1, ab: 1, total: 1 });
    expect(second.stages.total?.key).toBe(total?.key);

    const record = JSON.parse(await readFile(second.recordPath, 'utf8')) as RunRecord;
    expect(record.status).toBe('succeeded');
    expect(record.spec.name).toBe('diamond');
    expect(record.stages.ab?.keyInput?.params).toEqual({ markers, delayMs: 0, fail: false, add: 10 });
    expect(record.stages.ab?.keyInput?.inputs.values).toEqual([
      first.stages.a?.outputs?.data,
      first.stages.b?.outputs?.data,
    ]);
    expect((await readdir(cache.path('runs'))).length).toBe(2);
    // the work dir (checkpoint) is removed after publish
    expect(await readdir(cache.path('work'))).toEqual([]);
  });

  it('recomputes only what a changed param reaches; equal outputs cut off downstream', async () => {
    const dir = await tempDir();
    const markers = join(dir, 'markers');
    const cache = await openCache(join(dir, 'cache'));
    await runGraph(diamond('d', markers), { cache });
    const changed = diamond('d', markers);
    (changed.nodes.get('b') as { params: object }).params = { ...changed.nodes.get('b')?.params, value: 5 };
    const summary = await runGraph(changed, { cache });
    expect(await executions(markers)).toEqual({ a: 1, b: 2, ab: 2, total: 2 });
    expect(summary.stages.a?.status).toBe('cached');
    expect(await storedValue(join(cache.entryPath(summary.stages.total?.key as string), 'data'))).toBe(17);

    // same output content through a different producer: downstream keys are unchanged
    const sameValue = diamond('d', markers);
    (sameValue.nodes.get('b') as { params: object }).params = {
      ...sameValue.nodes.get('b')?.params,
      value: 2,
      corpus: 'x',
    };
    const third = await runGraph(sameValue, { cache });
    expect(third.stages.b?.status).toBe('succeeded');
    expect(third.stages.ab?.status).toBe('cached');
  });

  it('wraps a stage exception as STAGE_FAILED with the cause, and leaves no entry', async () => {
    const dir = await tempDir();
    const cache = await openCache(join(dir, 'cache'));
    const graph = makeGraph('f', {
      a: { uses: 'test:source', params: { value: 1 } },
      bad: { uses: 'test:sum', params: { fail: true }, inputs: { values: ['a.data'] } },
      after: { uses: 'test:sum', inputs: { values: ['bad.data'] } },
    });
    const summary = await runGraph(graph, { cache });
    expect(summary.status).toBe('failed');
    const error = summary.errors[0];
    expect(error?.code).toBe('STAGE_FAILED');
    expect(error?.message).toBe("stage 'bad' (test:sum) failed: sum bad told to fail");
    expect((error?.cause as Error | undefined)?.message).toBe('sum bad told to fail');
    expect(error?.loc).toEqual({ file: 'f.yaml', line: 7, col: 3 });
    expect(summary.stages.after).toMatchObject({ status: 'skipped', skipped: "upstream 'bad' failed" });
    expect(await cache.listEntries()).toEqual([summary.stages.a?.key]);
    expect(await readdir(cache.path('tmp'))).toEqual([]);
    // the checkpoint of the failed attempt survives for the next attempt
    expect(await readdir(cache.path('work', summary.stages.bad?.key as string))).toEqual(['checkpoint.json']);
  });

  it('--keep-going runs everything not downstream of a failure; fail mode stops the rest', async () => {
    const dir = await tempDir();
    const stages = {
      bad: { uses: 'test:source' as const, params: { value: 1, fail: true } },
      good: { uses: 'test:source' as const, params: { value: 2, delayMs: 50 } },
      child: { uses: 'test:sum' as const, inputs: { values: ['bad.data'] } },
      other: { uses: 'test:sum' as const, inputs: { values: ['good.data'] } },
    };
    const kept = await runGraph(makeGraph('k', stages), {
      cache: join(dir, 'c1'),
      onError: 'keep-going',
      jobs: 2,
    });
    expect(kept.status).toBe('failed');
    expect(Object.fromEntries(Object.entries(kept.stages).map(([id, s]) => [id, s.status]))).toEqual({
      bad: 'failed',
      good: 'succeeded',
      child: 'skipped',
      other: 'succeeded',
    });
    const stopped = await runGraph(makeGraph('k', stages), { cache: join(dir, 'c2'), jobs: 2 });
    expect(stopped.stages.good?.status).toBe('interrupted');
    expect(stopped.stages.other).toMatchObject({
      status: 'skipped',
      skipped: "upstream 'good' was interrupted",
    });
  });

  it('gives cpu-heavy stages the thread budget and never runs two at once', async () => {
    const dir = await tempDir();
    const events: RunEvent[] = [];
    const graph = makeGraph('h', {
      a: { uses: 'test:source', params: { value: 1 } },
      s1: { uses: 'test:sum', params: { delayMs: 30 }, inputs: { values: ['a.data'] } },
      s2: { uses: 'test:sum', params: { delayMs: 30, add: 1 }, inputs: { values: ['a.data'] } },
    });
    const summary = await runGraph(graph, {
      cache: join(dir, 'c'),
      jobs: 4,
      threads: 64, // more than the cores of any machine running this: one heavy stage at a time
      onEvent: (e) => events.push(e),
    });
    let running = 0;
    let peak = 0;
    for (const e of events) {
      if (e.type !== 'state' || !e.id.startsWith('s')) continue;
      if (e.state === 'running') peak = Math.max(peak, ++running);
      if (e.state === 'succeeded') running--;
    }
    expect(peak).toBe(1);
    expect(
      await readFile(
        join(
          summary.stages.s1
            ? (await openCache(join(dir, 'c'))).entryPath(summary.stages.s1.key as string)
            : '',
          'log/sub/threads.txt',
        ),
        'utf8',
      ),
    ).toBe('64\n');
    expect(
      events
        .filter((e) => e.type === 'progress' && e.id === 's1')
        .map((e) => e.type === 'progress' && [e.done, e.total, e.label]),
    ).toEqual([
      [0, 1, 'adding'],
      [1, 1, 'adding'],
    ]);
  });

  it('selects with --only (plus what it needs) and --from (plus downstream)', async () => {
    const dir = await tempDir();
    const markers = join(dir, 'm');
    const only = await runGraph(diamond('s', markers), { cache: join(dir, 'c'), only: ['ab'] });
    expect(Object.keys(only.stages)).toEqual(['a', 'b', 'ab']);
    const from = await runGraph(diamond('s', markers), { cache: join(dir, 'c'), from: ['b'] });
    expect(Object.keys(from.stages)).toEqual(['a', 'b', 'ab', 'total']);
    expect(from.stages.b?.status).toBe('cached');
    await expect(
      runGraph(diamond('s', markers), { cache: join(dir, 'c'), only: ['nope'] }),
    ).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('aborts on the run signal: running stages are interrupted, the rest skipped, no entry left half-made', async () => {
    const dir = await tempDir();
    const cache = await openCache(join(dir, 'c'));
    const controller = new AbortController();
    const graph = diamond('i', join(dir, 'm'), 200);
    const summary = await runGraph(graph, {
      cache,
      jobs: 2,
      signal: controller.signal,
      onEvent: (e) => e.type === 'state' && e.state === 'running' && e.id === 'a' && controller.abort(),
    });
    expect(summary.status).toBe('interrupted');
    expect(summary.stages.a?.status).toBe('interrupted');
    expect(summary.stages.total).toMatchObject({ status: 'skipped' });
    expect(await cache.listEntries()).toEqual([]);
    expect(await readdir(cache.path('tmp'))).toEqual([]);
    expect(await readdir(cache.path('locks'))).toEqual([]);
  });

  it('hands the checkpoint dir of an interrupted attempt back to the next attempt, then removes it', async () => {
    const dir = await tempDir();
    const cache = await openCache(join(dir, 'c'));
    const graph = makeGraph('r', {
      a: { uses: 'test:source', params: { value: 3 } },
      slow: { uses: 'test:sum', params: { delayMs: 5_000 }, inputs: { values: ['a.data'] } },
    });
    const controller = new AbortController();
    const first = await runGraph(graph, {
      cache,
      signal: controller.signal,
      onEvent: (e) =>
        e.type === 'progress' && e.id === 'slow' && e.done === 1 && setTimeout(() => controller.abort(), 50),
    });
    expect(first.stages.slow?.status).toBe('interrupted');
    const key = first.stages.slow?.key as string;
    expect(JSON.parse(await readFile(join(cache.path('work', key), 'checkpoint.json'), 'utf8'))).toEqual({
      total: 3,
    });

    const logs: string[] = [];
    const fast = makeGraph('r', {
      a: { uses: 'test:source', params: { value: 3 } },
      slow: { uses: 'test:sum', params: { delayMs: 5_000 }, inputs: { values: ['a.data'] } },
    });
    (fast.nodes.get('slow') as { definition: object }).definition = {
      ...fast.nodes.get('slow')?.definition,
      // same name, version and params (same key); only the wait is shorter this time
      run: (ctx: StageContext) =>
        graph.nodes.get('slow')?.definition.run({ ...ctx, params: { ...ctx.params, delayMs: 0 } }),
    };
    const second = await runGraph(fast, {
      cache,
      // the definition patched above exists only in this process
      executor: new InProcessExecutor(),
      onEvent: (e) => e.type === 'log' && logs.push(`${e.id}: ${e.message}`),
    });
    expect(second.stages.slow).toMatchObject({ status: 'succeeded', key });
    expect(logs).toEqual(['slow: resuming from checkpoint (total 3)']);
    expect(await readdir(cache.path('work'))).toEqual([]);
  });

  it('sends metrics, artifacts (final paths) and statuses to every tracker', async () => {
    const dir = await tempDir();
    const calls: string[] = [];
    const tracker: Tracker = {
      runStarted: (run) => calls.push(`run ${run.spec.name}`),
      stageStarted: (s) => calls.push(`start ${s.node.id} hit=${s.cacheHit}`),
      metric: (id, name, value) => calls.push(`metric ${id} ${name}=${value}`),
      tag: () => {},
      artifact: (id, path) =>
        calls.push(
          `artifact ${id} ${path
            .slice(path.indexOf('/entries/') + 1)
            .replace(/[0-9a-f]{64}/, 'KEY')
            .replace(/\/[0-9a-f]{2}\//, '/XX/')}`,
        ),
      stageFinished: (id, status, s) => calls.push(`end ${id} ${status} ${JSON.stringify(s.metrics ?? {})}`),
      runFinished: (status) => calls.push(`run ${status}`),
      close: async () => void calls.push('close'),
    };
    const graph = makeGraph('t', {
      a: { uses: 'test:source', params: { value: 4 } },
      s: { uses: 'test:sum', inputs: { values: ['a.data'] } },
    });
    await runGraph(graph, { cache: join(dir, 'c'), trackers: [tracker] });
    expect(calls).toEqual([
      'run t',
      'start a hit=false',
      'end a succeeded {}',
      'start s hit=false',
      'metric s total=4',
      'artifact s entries/XX/KEY/data/value.json',
      'end s succeeded {"total":4}',
      'run succeeded',
      'close',
    ]);
    calls.length = 0;
    await runGraph(graph, { cache: join(dir, 'c'), trackers: [tracker] });
    expect(calls).toEqual([
      'run t',
      'start a hit=true',
      'end a cached {}',
      'start s hit=true',
      'end s cached {"total":4}',
      'run succeeded',
      'close',
    ]);
  });
});
