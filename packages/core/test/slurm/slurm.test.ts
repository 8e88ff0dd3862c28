// Integration tests on a real Slurm cluster (CI: scripts/slurm-local.sh up, a one-node cluster).
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { openCache } from '../../src/cache/cache.ts';
import { ownerAlive } from '../../src/cache/lock.ts';
import '../../src/run/executors/registry.ts'; // registers Slurm's answer to the lock's question
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

const chain = join(specs, 'chain.yaml');

/** A tracker that keeps what the runner tells it (what MLflow would receive). */
function recordingTracker() {
  const calls: { tags: string[]; metrics: string[]; artifacts: string[]; finished: string[] } = {
    tags: [],
    metrics: [],
    artifacts: [],
    finished: [],
  };
  const tracker: Tracker = {
    runStarted() {},
    stageStarted() {},
    metric: (id, name, value) => void calls.metrics.push(`${id} ${name}=${value}`),
    tag: (id, name, value) => void calls.tags.push(`${id} ${name}=${value}`),
    artifact: (id, path) => void calls.artifacts.push(`${id} ${path}`),
    stageFinished: (id, status) => void calls.finished.push(`${id} ${status}`),
    runFinished() {},
    close: async () => {},
  };
  return { tracker, calls };
}

describe.skipIf(!slurmUp())('--executor slurm on a real Slurm cluster', () => {
  it('gives the same keys and output hashes as in process, one job per node, job ids in the record and tracker', async () => {
    const dir = await tempDir('serx-slurm-same-');
    const env = { ...process.env, SERX_TEST_MARKERS: join(dir, 'm') };
    const graph = await loadSpec(chain, { env });
    // the test:sum stage writes its thread budget into an output: give it the job's (cpus: 1)
    const local = await runGraph(graph, { cache: join(dir, 'local'), threads: 1 });
    const cache = await openCache(join(dir, 'slurm'));
    const executor = new BatchExecutor({
      scheduler: new SlurmScheduler(),
      cache,
      specFile: chain,
      cwd: specs,
      settings: executorSettings(graph.spec, { cwd: specs, env }),
      env,
    });
    const { tracker, calls } = recordingTracker();
    const remote = await runGraph(graph, { cache, executor, trackers: [tracker] });

    expect(local.status).toBe('succeeded');
    expect(remote.status, remote.errors.map((e) => e.message).join('\n')).toBe('succeeded');
    const view = (s: typeof local) =>
      Object.values(s.stages).map((r) => ({ id: r.id, key: r.key, outputs: r.outputs }));
    expect(view(remote)).toEqual(view(local));
    expect(executor.submitted.size).toBe(4);
    const jobs = Object.values(remote.stages).map((r) => r.job);
    expect(jobs.map((j) => j?.nodes)).toEqual(Array(4).fill(hostname()));
    expect(new Set(jobs.map((j) => j?.id))).toEqual(new Set(executor.submitted.keys()));
    for (const id of executor.submitted.keys()) expect(jobState(id)).toBe('COMPLETED');
    const record = JSON.parse(await readFile(remote.recordPath, 'utf8'));
    expect(record.options.executor).toBe('slurm');
    expect(record.stages.total.job).toEqual({
      executor: 'slurm',
      id: remote.stages.total?.job?.id,
      nodes: hostname(),
    });
    // relayed from the jobs' logs: the sum stage's metric (1+2+10 = 13; +13 +1 = 14) and artifact
    expect(calls.metrics.sort()).toEqual(['ab total=13', 'total total=14']);
    expect(calls.tags.filter((t) => t.startsWith('total '))).toEqual([
      `total serx.slurm.jobId=${remote.stages.total?.job?.id}`,
    ]);
    const totalKey = remote.stages.total?.key as string;
    expect(calls.artifacts).toContain(
      `total ${join(dir, 'slurm/entries', totalKey.slice(0, 2), totalKey, 'data/value.json')}`,
    );
    expect(calls.finished.sort()).toEqual(['a succeeded', 'ab succeeded', 'b succeeded', 'total succeeded']);
    // each stage ran once per cache: in process and in its job
    expect(await executions(join(dir, 'm'))).toEqual({ a: 2, b: 2, ab: 2, total: 2 });
  }, 120_000);

  let server: MlflowServer | undefined;
  afterAll(async () => server?.stop());

  it('tracks a stage computed in a job in MLflow from the submitting process, tagged with its job id', async () => {
    const dir = await tempDir('serx-slurm-mlflow-');
    server = await startMlflowServer({ dir: join(dir, 'mlflow') });
    const env = { SERX_CACHE: join(dir, 'cache'), MLFLOW_TRACKING_URI: server.uri };
    const { code, stdout, stderr } = await serx(['run', 'tracked.yaml'], env).done;
    expect(code, stderr).toBe(0);
    const client = new MlflowClient(server.uri);
    const experiment = await client.getExperimentByName('slurm-tracked');
    const runs = await client.searchRuns([experiment?.experiment_id as string]);
    const tag = (run: (typeof runs)[number], key: string) => run.data.tags?.find((t) => t.key === key)?.value;
    const model = runs.find((r) => tag(r, 'serx.node') === 'model');
    expect(model?.info.status).toBe('FINISHED');
    expect(tag(model as (typeof runs)[number], 'serx.slurm.jobId')).toBe(jobIdOf(stdout, 'model'));
    expect(tag(model as (typeof runs)[number], 'mlflow.parentRunId')).toBeDefined();
    // the per-epoch metric the stage logged inside its job, relayed through the job's log
    const loss = await client.getMetricHistory(model?.info.run_id as string, 'loss');
    expect(loss.map((m) => m.step)).toEqual([1, 2, 3]);
  }, 180_000);

  it('reports a failing stage as it would fail locally, its job id, Slurm state and log tail in its log; --keep-going runs the rest', async () => {
    const dir = await tempDir('serx-slurm-fail-');
    const { done } = serx(['run', 'fail.yaml', '--keep-going'], { SERX_CACHE: join(dir, 'cache') });
    const { code, stdout, stderr } = await done;
    expect(code, stderr).toBe(1);
    const id = jobIdOf(stdout, 'broken') as string;
    // the same error, code and exit status as in process
    expect(stderr).toContain(
      "fail.yaml:10:3 stages.broken: stage 'broken' (test:sum) failed: sum broken told to fail [STAGE_FAILED]",
    );
    expect(stderr).not.toContain('[JOB_FAILED]');
    expect(stdout).toContain(
      `slurm job ${id} ended FAILED (reason NonZeroExitCode, exit 1:0, on ${hostname()})`,
    );
    expect(stdout).toMatch(/last lines of its log:/);
    expect(stdout).toMatch(/side: succeeded/);
    expect(jobState(id)).toBe('FAILED');
  }, 120_000);

  it('a job cancelled from outside (scancel) is a stage failure with the Slurm state', async () => {
    const dir = await tempDir('serx-slurm-scancel-');
    let cancelled = false;
    let seen = '';
    const env = {
      SERX_CACHE: join(dir, 'cache'),
      SERX_TEST_MARKERS: join(dir, 'm'),
      SERX_TEST_DELAY: '60000',
    };
    const { done } = serx(['run', 'chain.yaml'], env, (line) => {
      seen += `${line}\n`;
      const id = jobIdOf(seen, 'b');
      // once `a` is done and `b` runs (its marker exists), cancel b's job as an operator would
      if (id && /\ba: succeeded/.test(seen) && !cancelled) {
        cancelled = true;
        void (async () => {
          while ((await executions(join(dir, 'm'))).b === undefined) await sleep(100);
          execFileSync('scancel', [id]);
        })();
      }
    });
    const { code, stdout, stderr } = await done;
    expect(code, stdout + stderr).toBe(1);
    const id = jobIdOf(stdout, 'b') as string;
    expect(stderr, stdout).toMatch(
      new RegExp(
        `stage 'b' \\(test:source\\): slurm job ${id} ended CANCELLED \\(exit 130:0, on ${hostname()}\\)`,
      ),
    );
    // the job stopped the stage itself on Slurm's SIGTERM
    expect(stderr).toMatch(/SIGTERM: stopping b\n.*serx exec-node b: interrupted in/);
    expect(stdout, stdout).toMatch(/ab: skipped \(upstream 'b' failed\)/);
    const cache = await openCache(join(dir, 'cache'));
    expect(await readdir(cache.path('tmp'))).toEqual([]);
    expect(await readdir(cache.path('locks'))).toEqual([]);
  }, 120_000);

  it('Ctrl-C cancels queued and running jobs, exits 130, and a rerun finishes the work', async () => {
    const dir = await tempDir('serx-slurm-sigint-');
    const env = {
      SERX_CACHE: join(dir, 'cache'),
      SERX_TEST_MARKERS: join(dir, 'm'),
      SERX_TEST_DELAY: '6000',
    };
    // a sleeper holding one of the two CPUs keeps a job of ours queued (PENDING)
    const blocker = execFileSync(
      'sbatch',
      ['--parsable', '-J', 'serx-test-blocker', '--mem=100M', '-o', '/dev/null', '--wrap', 'sleep 120'],
      {
        encoding: 'utf8',
      },
    ).trim();
    try {
      let sent = false;
      let stdoutSoFar = '';
      const first = serx(['run', 'chain.yaml'], env, (line, child) => {
        stdoutSoFar += `${line}\n`;
        if (!sent && jobIdOf(stdoutSoFar, 'a') && jobIdOf(stdoutSoFar, 'b')) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 1500);
        }
      });
      const { code, stdout, stderr } = await first.done;
      expect(code, stderr).toBe(130);
      const ids = [jobIdOf(stdout, 'a'), jobIdOf(stdout, 'b')] as string[];
      const states = ids.map(jobState);
      expect(
        states.every((s) => s === 'CANCELLED' || s === 'COMPLETED'),
        states.join(),
      ).toBe(true);
      expect(states).toContain('CANCELLED');
      const cache = await openCache(join(dir, 'cache'));
      expect(await readdir(cache.path('tmp'))).toEqual([]);
      expect(await readdir(cache.path('locks'))).toEqual([]);
    } finally {
      execFileSync('scancel', [blocker]);
    }
    const rerun = await serx(['run', 'chain.yaml'], env).done;
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(/run succeeded in .*: \d ran, \d cached, 0 failed/);
  }, 180_000);

  it('a time limit that is too short ends the stage as TIMEOUT', async () => {
    const dir = await tempDir('serx-slurm-timeout-');
    const env = {
      SERX_CACHE: join(dir, 'cache'),
      SERX_TEST_MARKERS: join(dir, 'm'),
      SERX_TEST_DELAY: '600000',
      SERX_TEST_TIME: '1', // minutes: Slurm's smallest limit
    };
    const { code, stdout, stderr } = await serx(['run', 'chain.yaml', '--only', 'b'], env).done;
    expect(code, stderr).toBe(1);
    expect(stderr).toMatch(
      new RegExp(
        `stage 'b' \\(test:source\\): slurm job ${jobIdOf(stdout, 'b')} ended TIMEOUT \\(reason TimeLimit`,
      ),
    );
  }, 240_000);

  it('two concurrent runs on one cache compute each stage once', async () => {
    const dir = await tempDir('serx-slurm-twice-');
    const env = {
      SERX_CACHE: join(dir, 'cache'),
      SERX_TEST_MARKERS: join(dir, 'm'),
      SERX_TEST_DELAY: '3000',
    };
    const [one, two] = await Promise.all([
      serx(['run', 'chain.yaml'], env).done,
      serx(['run', 'chain.yaml'], env).done,
    ]);
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    expect(await executions(join(dir, 'm'))).toEqual({ a: 1, b: 1, ab: 1, total: 1 });
  }, 180_000);

  it('a rerun adopts the still-running job of a killed run instead of submitting again', async () => {
    const dir = await tempDir('serx-slurm-adopt-');
    const env = {
      SERX_CACHE: join(dir, 'cache'),
      SERX_TEST_MARKERS: join(dir, 'm'),
      // b sleeps long enough that its job still runs when the rerun looks it up, however loaded
      SERX_TEST_DELAY: '25000',
    };
    let seen = '';
    const first = serx(['run', 'chain.yaml'], env, (line, child) => {
      seen += `${line}\n`;
      if (jobIdOf(seen, 'b') && /\ba: succeeded/.test(seen) && !child.killed) child.kill('SIGKILL');
    });
    const killed = await first.done;
    const id = jobIdOf(killed.stdout, 'b') as string;
    expect(jobState(id)).toMatch(/PENDING|RUNNING/);
    const rerun = await serx(['run', 'chain.yaml'], env).done;
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain(
      `b: adopting slurm job ${id} (submitted earlier for the same key) instead of submitting again`,
    );
    expect(rerun.stdout).toMatch(/a: cached/);
    expect(await executions(join(dir, 'm'))).toEqual({ a: 1, b: 1, ab: 1, total: 1 });
    const record = JSON.parse(
      await readFile(rerun.stdout.match(/record (\S+\.json)/)?.[1] as string, 'utf8'),
    );
    expect(record.stages.b.job).toEqual({ executor: 'slurm', id, nodes: hostname(), adopted: true });
  }, 180_000);

  it('a lock held from another host is stale exactly when its Slurm job is gone', async () => {
    const sleeper = execFileSync(
      'sbatch',
      ['--parsable', '--mem=100M', '-o', '/dev/null', '--wrap', 'sleep 60'],
      {
        encoding: 'utf8',
      },
    ).trim();
    const owner = (id: string) => ({
      pid: 1,
      hostname: 'another-login-node',
      startTime: undefined,
      acquiredAt: new Date().toISOString(),
      token: id,
      job: { scheduler: 'slurm', id },
    });
    try {
      expect(await ownerAlive(owner(sleeper))).toBe(true);
      execFileSync('scancel', [sleeper]);
      while (jobState(sleeper) !== 'CANCELLED') await sleep(200);
      await sleep(5100); // answers are remembered for 5 s
      expect(await ownerAlive(owner(sleeper))).toBe(false);
      // a lock file written before `job` names its Slurm job as `slurmJobId`
      const { job: _, ...legacy } = owner(sleeper);
      expect(await ownerAlive({ ...legacy, slurmJobId: sleeper })).toBe(false);
      expect(await ownerAlive(owner('99999999'))).toBe(false); // unknown to Slurm
      expect(await ownerAlive(legacy)).toBe(true); // no job: never stale
      // a scheduler nobody registered cannot be asked: never stale
      expect(await ownerAlive({ ...legacy, job: { scheduler: 'pbs', id: sleeper } })).toBe(true);
    } finally {
      execFileSync('scancel', [sleeper]);
    }
  }, 60_000);
  it("a cache path with % in it (sbatch's %j, %x) is escaped in --output: plan shows it, jobs run and log there", async () => {
    const dir = await tempDir('serx-slurm-percent-');
    const cache = join(dir, 'cache %j %x');
    const env = { SERX_CACHE: cache, SERX_TEST_MARKERS: join(dir, 'm') };
    const plan = await serx(['plan', 'chain.yaml', '--executor', 'slurm'], env).done;
    expect(plan.code, plan.stderr).toBe(0);
    const aKey = /^miss +a +([0-9a-f]{12})/m.exec(plan.stdout)?.[1] as string;
    expect(plan.stdout).toMatch(
      new RegExp(
        `slurm job: --job-name=serx-${aKey}[0-9a-f]{4}-a --output=${dir}/cache %%j %%x/work/${aKey}[0-9a-f]{52}\\.slurm-%j\\.log --chdir=${specs} --export=ALL --ntasks=1`,
      ),
    );
    expect(plan.stdout).toContain(`--output=${dir}/cache %%j %%x/work/<key>.slurm-%j.log`);

    const { code, stdout, stderr } = await serx(['run', 'chain.yaml'], env).done;
    expect(code, stdout + stderr).toBe(0);
    expect(stdout).not.toContain('JobLaunchFailure');
    const logs = (await readdir(join(cache, 'work'))).filter((n) => n.endsWith('.log'));
    expect(logs).toHaveLength(4);
    const id = jobIdOf(stdout, 'total') as string;
    expect(logs.some((n) => n.endsWith(`.slurm-${id}.log`))).toBe(true);
    expect(await executions(join(dir, 'm'))).toEqual({ a: 1, b: 1, ab: 1, total: 1 });
  }, 120_000);
});
