// docs/scaling.md "Add a scheduler": the walk-through is the `local-jobs` scheduler's whole file and
// its registration, as they are; and that scheduler really runs jobs (detached processes).
import { readdir, readFile, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { openCache } from '../../src/cache/cache.ts';
import { ownerAlive } from '../../src/cache/lock.ts';
import { loadSpec } from '../../src/graph/load-spec.ts';
import { isNodeExecutor } from '../../src/run/executor.ts';
import type { BatchExecutor } from '../../src/run/executors/batch-executor.ts';
import { executorSettings } from '../../src/run/executors/executor-config.ts';
import { LocalScheduler } from '../../src/run/executors/local/local-scheduler.ts';
import { createExecutor, executorKinds } from '../../src/run/executors/registry.ts';
import { runGraph } from '../../src/run/run-graph.ts';
import { tempDir } from '../run/helpers.ts';
import { specs } from './slurm-cluster.ts';

const repo = join(import.meta.dirname, '../../../..');

/** The ```ts block that follows `<!-- <marker>: <file> -->` in the page. */
function block(page: string, marker: string): { file: string; code: string } {
  const match = new RegExp(`<!-- ${marker}: (\\S+) -->\\n\`\`\`ts\\n([\\s\\S]*?)\\n\`\`\`\\n`).exec(page);
  if (!match) throw new Error(`docs/scaling.md has no ${marker} block`);
  return { file: match[1] as string, code: match[2] as string };
}

describe('Add a scheduler (docs/scaling.md)', () => {
  it('shows the local-jobs scheduler file whole and its registration as they are', async () => {
    const page = await readFile(join(repo, 'docs/scaling.md'), 'utf8');
    const walk = block(page, 'walk-through');
    expect(walk.code).toBe((await readFile(join(repo, walk.file), 'utf8')).trimEnd());
    const registration = block(page, 'registration');
    expect(await readFile(join(repo, registration.file), 'utf8')).toContain(registration.code);
    expect(executorKinds()).toEqual(['in-process', 'process', 'workers', 'slurm', 'local-jobs']);
  });

  it('runs a spec as one detached job per node with the in-process keys and outputs', async () => {
    const dir = await tempDir('serx-local-jobs-');
    const env = { ...process.env, SERX_TEST_MARKERS: join(dir, 'm'), SERX_LOCAL_JOBS: join(dir, 'jobs') };
    const chain = join(specs, 'chain.yaml');
    const graph = await loadSpec(chain, { env });
    const local = await runGraph(graph, { cache: join(dir, 'local'), threads: 1 });
    const cache = await openCache(join(dir, 'jobs-cache'));
    process.env.SERX_LOCAL_JOBS = env.SERX_LOCAL_JOBS;
    const executor = await createExecutor({
      settings: { ...executorSettings(graph.spec, { cwd: specs, env }), kind: 'local-jobs', from: 'test' },
      graph,
      cache,
      cwd: specs,
      env,
    });
    expect(isNodeExecutor(executor)).toBe(true);
    const remote = await runGraph(graph, { cache, executor });
    expect(remote.status, remote.errors.map((e) => e.message).join('\n')).toBe('succeeded');
    const view = (s: typeof local) =>
      Object.values(s.stages).map((r) => ({ id: r.id, key: r.key, outputs: r.outputs }));
    expect(view(remote)).toEqual(view(local));
    const jobs = Object.values(remote.stages).map((r) => r.job);
    expect(jobs.map((j) => [j?.executor, j?.nodes])).toEqual(Array(4).fill(['local-jobs', hostname()]));
    expect(new Set(jobs.map((j) => j?.id))).toEqual(new Set((executor as BatchExecutor).submitted.keys()));
  }, 120_000);

  it('answers the lock’s question: a holder in one of its jobs on another host is alive until the job ends', async () => {
    const dir = await tempDir('serx-local-alive-');
    process.env.SERX_LOCAL_JOBS = join(dir, 'jobs');
    const scheduler = new LocalScheduler();
    const id = await scheduler.submit({
      name: 'sleeper',
      command: ['sleep', '60'],
      cwd: dir,
      log: join(dir, 'sleeper.log'),
      args: [],
    });
    const owner = {
      pid: 1,
      hostname: 'another-host',
      startTime: undefined,
      acquiredAt: new Date().toISOString(),
      token: id,
      job: { scheduler: 'local-jobs', id },
    };
    expect(await ownerAlive(owner)).toBe(true);
    expect((await scheduler.active('sleeper')).map((j) => j.id)).toEqual([id]);
    await scheduler.cancel([id]);
    while ((await scheduler.poll([id])).get(id)?.state !== 'CANCELLED') await sleep(100);
    await sleep(5100); // answers are remembered for 5 s
    expect(await ownerAlive(owner)).toBe(false);
    expect(await scheduler.active('sleeper')).toEqual([]);
  }, 30_000);

  it('forgets a finished job once it is older than it keeps records (files pruned at the next submit)', async () => {
    const dir = await tempDir('serx-local-prune-');
    process.env.SERX_LOCAL_JOBS = join(dir, 'jobs');
    const scheduler = new LocalScheduler(60 * 60 * 1000);
    const job = (name: string, command: string[]) => ({
      name,
      command,
      cwd: dir,
      log: join(dir, `${name}.log`),
      args: [],
    });
    const old = await scheduler.submit(job('old', ['true']));
    const recent = await scheduler.submit(job('recent', ['true']));
    const running = await scheduler.submit(job('running', ['sleep', '60']));
    for (const id of [old, recent])
      while ((await scheduler.poll([id])).get(id)?.state !== 'COMPLETED') await sleep(50);
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const ext of ['.json', '.exit'])
      await utimes(join(dir, 'jobs', `${old}${ext}`), twoHoursAgo, twoHoursAgo);
    // a running job is kept however old its submission
    await utimes(join(dir, 'jobs', `${running}.json`), twoHoursAgo, twoHoursAgo);

    const next = await scheduler.submit(job('next', ['true']));
    const states = await scheduler.poll([old, recent, running, next]);
    expect(states.has(old)).toBe(false); // unknown to the scheduler, as Slurm after MinJobAge
    expect(states.get(recent)?.state).toBe('COMPLETED');
    expect(states.get(running)?.state).toBe('RUNNING');
    expect((await readdir(join(dir, 'jobs'))).filter((f) => f.startsWith(old))).toEqual([]);
    await scheduler.cancel([running]);
  }, 30_000);
});
