// Job groups and job arrays on a real Slurm cluster (CI: scripts/slurm-local.sh up): several nodes
// in one job, matrix variants as one `sbatch --array`, and per node inside them: outcomes, relayed
// metrics, failures, cancelling and adoption.
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCache } from '../../src/cache/cache.ts';
import { loadSpec } from '../../src/graph/load-spec.ts';
import { BatchExecutor } from '../../src/run/executors/batch-executor.ts';
import { executorSettings } from '../../src/run/executors/executor-config.ts';
import { SlurmScheduler } from '../../src/run/executors/slurm/slurm-scheduler.ts';
import { runGraph } from '../../src/run/run-graph.ts';
import { MlflowClient } from '../../src/tracking/mlflow-client.ts';
import { type MlflowServer, startMlflowServer } from '../../src/tracking/mlflow-server.ts';
import type { Tracker } from '../../src/tracking/types.ts';
import { executions, tempDir } from '../run/helpers.ts';
import { jobIdOf, jobState, serx, slurmUp, specs } from './slurm-cluster.ts';

const groups = join(specs, 'groups.yaml');

function recordingTracker() {
  const calls = { metrics: [] as string[], finished: [] as string[], tags: [] as string[] };
  const tracker: Tracker = {
    runStarted() {},
    stageStarted() {},
    metric: (id, name, value) => void calls.metrics.push(`${id} ${name}=${value}`),
    tag: (id, name, value) => void calls.tags.push(`${id} ${name}=${value}`),
    artifact() {},
    stageFinished: (id, status) => void calls.finished.push(`${id} ${status}`),
    runFinished() {},
    close: async () => {},
  };
  return { tracker, calls };
}

describe.skipIf(!slurmUp())('job groups and arrays on a real Slurm cluster', () => {
  it('computes groups.yaml in 5 submissions (2 groups, 1 array of 3 groups, 2 jobs) with the in-process keys and outputs', async () => {
    const dir = await tempDir('serx-groups-same-');
    const env = { ...process.env, SERX_TEST_MARKERS: join(dir, 'm') };
    const graph = await loadSpec(groups, { env });
    const local = await runGraph(graph, { cache: join(dir, 'local'), threads: 1 });
    const cache = await openCache(join(dir, 'slurm'));
    const executor = new BatchExecutor({
      scheduler: new SlurmScheduler(),
      cache,
      specFile: groups,
      cwd: specs,
      settings: executorSettings(graph.spec, { cwd: specs, env }),
      env,
    });
    const { tracker, calls } = recordingTracker();
    const remote = await runGraph(graph, { cache, executor, trackers: [tracker] });
    expect(remote.status, remote.errors.map((e) => e.message).join('\n')).toBe('succeeded');
    const view = (s: typeof local) =>
      Object.values(s.stages).map((r) => ({ id: r.id, status: r.status, key: r.key, outputs: r.outputs }));
    expect(view(remote)).toEqual(view(local));

    const job = (id: string) => remote.stages[id]?.job;
    // a and a_sum (light here) in one job, b and b_sum (group g) in another, total alone
    expect(job('a')?.id).toBe(job('a_sum')?.id);
    expect(job('a')?.group).toBe('a+1');
    expect(job('b')?.id).toBe(job('b_sum')?.id);
    expect(job('b_sum')?.group).toBe('g');
    expect(job('total')?.group).toBeUndefined();
    // the variants of v, each with its w, are the 3 tasks of one array
    const tasks = ['3', '4', '5'].map((x) => job(`v[x=${x}]`)?.id as string);
    expect(tasks.map((t) => t.split('_')[1])).toEqual(['0', '1', '2']);
    expect(new Set(tasks.map((t) => t.split('_')[0])).size).toBe(1);
    for (const x of ['3', '4', '5']) expect(job(`w[x=${x}]`)?.id).toBe(job(`v[x=${x}]`)?.id);
    const submissions = new Set([...executor.submitted.keys()].map((id) => id.split('_')[0]));
    expect(submissions.size).toBe(5);
    expect(executor.submitted.size).toBe(7);
    for (const id of executor.submitted.keys()) expect(jobState(id)).toBe('COMPLETED');
    expect(Object.values(remote.stages).every((s) => s.job?.nodes === hostname())).toBe(true);
    // each node computed once per cache, in process and in its job
    const once = Object.fromEntries(Object.keys(local.stages).map((id) => [id, 2]));
    expect(await executions(join(dir, 'm'))).toEqual(once);
    // relayed per node from the shared logs: metrics, job tags, ends
    expect(calls.metrics.sort()).toEqual([
      'a_sum total=11',
      'b_sum total=22',
      'total total=33',
      'w[x=3] total=103',
      'w[x=4] total=104',
      'w[x=5] total=105',
    ]);
    expect(calls.tags).toContain(`b_sum serx.slurm.jobId=${job('b')?.id}`);
    expect(calls.finished.sort()).toEqual(
      Object.keys(local.stages)
        .map((id) => `${id} succeeded`)
        .sort(),
    );
  }, 120_000);

  it('a failing stage inside a group fails as it would alone; the group stage before it is published, the rest of the run goes on', async () => {
    const dir = await tempDir('serx-groups-fail-');
    const env = { SERX_CACHE: join(dir, 'cache'), SERX_TEST_MARKERS: join(dir, 'm'), SERX_TEST_FAIL: 'true' };
    const { code, stdout, stderr } = await serx(['run', 'groups.yaml', '--keep-going'], env).done;
    expect(code, stdout + stderr).toBe(1);
    expect(stderr).toMatch(
      /stages\.a_sum: stage 'a_sum' \(test:sum\) failed: sum a_sum told to fail \[STAGE_FAILED\]/,
    );
    expect(stderr).not.toContain('[JOB_FAILED]');
    const id = jobIdOf(stdout, 'a') as string;
    expect(stdout).toMatch(
      new RegExp(`a_sum: warning: slurm job ${id} ended FAILED \\(reason NonZeroExitCode, exit 1:0`),
    );
    expect(stdout).toMatch(/\ba: succeeded/);
    expect(stdout).toMatch(/total: skipped \(upstream 'a_sum' failed\)/);
    expect(stdout).toMatch(/run failed in .*: 10 ran, 0 cached, 1 failed, 1 skipped/);
    const record = JSON.parse(await readFile(/record (\S+\.json)/.exec(stdout)?.[1] as string, 'utf8'));
    expect(record.stages.a.job).toEqual({ executor: 'slurm', id, nodes: hostname(), group: 'a+1' });
    expect(record.stages.a_sum.error.code).toBe('STAGE_FAILED');
  }, 120_000);

  it('Ctrl-C cancels a group job: its running stage is interrupted, the rest skipped; a rerun finishes', async () => {
    const dir = await tempDir('serx-groups-sigint-');
    const env = {
      SERX_CACHE: join(dir, 'cache'),
      SERX_TEST_MARKERS: join(dir, 'm'),
      SERX_TEST_DELAY: '60000',
    };
    let sent = false;
    let seen = '';
    const first = serx(['run', 'groups.yaml'], env, (line, child) => {
      seen += `${line}\n`;
      // b (group g) is sleeping in its job once its marker exists
      if (!sent && jobIdOf(seen, 'b') && /\ba_sum: succeeded/.test(seen)) {
        sent = true;
        void (async () => {
          while ((await executions(join(dir, 'm'))).b === undefined)
            await new Promise((r) => setTimeout(r, 100));
          child.kill('SIGINT');
        })();
      }
    });
    const { code, stdout, stderr } = await first.done;
    expect(code, stdout + stderr).toBe(130);
    const id = jobIdOf(stdout, 'b') as string;
    expect(jobState(id)).toBe('CANCELLED');
    expect(stdout).toMatch(/\bb: interrupted/);
    expect(stdout).toMatch(/b_sum: skipped \(upstream 'b' was interrupted\)/);
    const cache = await openCache(join(dir, 'cache'));
    expect(await readdir(cache.path('tmp'))).toEqual([]);
    expect(await readdir(cache.path('locks'))).toEqual([]);
    const rerun = await serx(['run', 'groups.yaml'], { ...env, SERX_TEST_DELAY: '0' }).done;
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(/\bb: succeeded/);
    expect(rerun.stdout).toMatch(/\ba_sum: cached/);
    expect((await executions(join(dir, 'm'))).b).toBe(2);
  }, 180_000);

  it('a rerun adopts the still-running group job of a killed run: each of its stages computed once', async () => {
    const dir = await tempDir('serx-groups-adopt-');
    // b sleeps long enough that its job still runs when the rerun looks it up
    const env = {
      SERX_CACHE: join(dir, 'cache'),
      SERX_TEST_MARKERS: join(dir, 'm'),
      SERX_TEST_DELAY: '25000',
    };
    let seen = '';
    const first = serx(['run', 'groups.yaml'], env, (line, child) => {
      seen += `${line}\n`;
      if (jobIdOf(seen, 'b') && !child.killed) child.kill('SIGKILL');
    });
    const killed = await first.done;
    const id = jobIdOf(killed.stdout, 'b') as string;
    expect(jobState(id)).toMatch(/PENDING|RUNNING/);
    const rerun = await serx(['run', 'groups.yaml'], env).done;
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain(
      `b: adopting slurm job ${id} (submitted earlier for the same key) instead of submitting again`,
    );
    expect(rerun.stdout).toMatch(new RegExp(`b_sum: slurm job ${id} \\(group g`));
    const counts = await executions(join(dir, 'm'));
    expect([counts.b, counts.b_sum]).toEqual([1, 1]);
    const record = JSON.parse(await readFile(/record (\S+\.json)/.exec(rerun.stdout)?.[1] as string, 'utf8'));
    expect(record.stages.b_sum.job).toEqual({
      executor: 'slurm',
      id,
      nodes: hostname(),
      adopted: true,
      group: 'g',
    });
  }, 180_000);

  it('a rerun adopts the still-running job array of a killed run, task by task', async () => {
    const dir = await tempDir('serx-groups-adopt-array-');
    // the variants of v sleep long enough that the array still runs when the rerun looks it up
    const env = {
      SERX_CACHE: join(dir, 'cache'),
      SERX_TEST_MARKERS: join(dir, 'm'),
      SERX_TEST_ARRAY_DELAY: '25000',
    };
    let seen = '';
    const first = serx(['run', 'groups.yaml'], env, (line, child) => {
      seen += `${line}\n`;
      if (/v\[x=5\]: slurm job \d+_2/.test(seen) && !child.killed) child.kill('SIGKILL');
    });
    const killed = await first.done;
    const array = /v\[x=3\]: slurm job (\d+)_0/.exec(killed.stdout)?.[1] as string;
    const rerun = await serx(['run', 'groups.yaml'], env).done;
    expect(rerun.code, rerun.stderr).toBe(0);
    for (const [i, x] of ['3', '4', '5'].entries()) {
      expect(rerun.stdout).toContain(
        `v[x=${x}]: adopting slurm job ${array}_${i} (a task of an array submitted earlier for the same keys) instead of submitting again`,
      );
      expect(rerun.stdout).toContain(`w[x=${x}]: slurm job ${array}_${i} (group v[x=${x}]+1`);
    }
    const counts = await executions(join(dir, 'm'));
    for (const id of ['v[x=3]', 'v[x=4]', 'v[x=5]', 'w[x=3]', 'w[x=4]', 'w[x=5]'])
      expect(counts[id], id).toBe(1);
  }, 180_000);

  let server: MlflowServer | undefined;
  afterAll(async () => server?.stop());

  it('tracks each stage of a group job in MLflow from the submitting process, tagged with the job id', async () => {
    const dir = await tempDir('serx-groups-mlflow-');
    server = await startMlflowServer({ dir: join(dir, 'mlflow') });
    const env = { SERX_CACHE: join(dir, 'cache'), MLFLOW_TRACKING_URI: server.uri };
    const { code, stdout, stderr } = await serx(['run', 'tracked-group.yaml'], env).done;
    expect(code, stderr).toBe(0);
    const id = jobIdOf(stdout, 'numbers') as string;
    expect(jobIdOf(stdout, 'model')).toBe(id);
    const client = new MlflowClient(server.uri);
    const experiment = await client.getExperimentByName('slurm-tracked-group');
    const runs = await client.searchRuns([experiment?.experiment_id as string]);
    const tag = (run: (typeof runs)[number], key: string) => run.data.tags?.find((t) => t.key === key)?.value;
    const model = runs.find((r) => tag(r, 'serx.node') === 'model') as (typeof runs)[number];
    expect(model?.info.status).toBe('FINISHED');
    expect(tag(model, 'serx.slurm.jobId')).toBe(id);
    expect(tag(model, 'mlflow.parentRunId')).toBeDefined();
    // the per-epoch metric the stage logged inside the group's job, relayed through its log
    const loss = await client.getMetricHistory(model.info.run_id as string, 'loss');
    expect(loss.map((m) => m.step)).toEqual([1, 2, 3]);
  }, 180_000);

  it('grouping: off submits one job per node, as before groups; jobStageExecutor: process runs each stage in a child of its job', async () => {
    const dir = await tempDir('serx-groups-off-');
    const env = { SERX_CACHE: join(dir, 'cache'), SERX_TEST_MARKERS: join(dir, 'm') };
    const { code, stdout, stderr } = await serx(
      ['run', 'groups.yaml', '--set', 'executor.grouping=off', '--set', 'executor.jobStageExecutor=process'],
      env,
    ).done;
    expect(code, stdout + stderr).toBe(0);
    const ids = [...stdout.matchAll(/: slurm job (\d+) /g)].map((m) => m[1] as string);
    expect(new Set(ids).size).toBe(12);
    expect(
      execFileSync('squeue', ['-h', '--states=all', '-j', ids.join(','), '-o', '%T'], { encoding: 'utf8' })
        .trim()
        .split('\n'),
    ).toHaveLength(12);
    const script = execFileSync('scontrol', ['write', 'batch_script', ids[0] as string, '-'], {
      encoding: 'utf8',
    });
    expect(script).toMatch(/ --stage-executor process\b/);
  }, 120_000);
});
