// The smoke experiment end to end through the real CLI, tracked by a real MLflow server that is
// stopped mid-run: the run must still succeed, `serx sync` must complete the tracking record, and a
// second (fully cached) run must point its MLflow runs at the runs that produced the artifacts.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MlflowClient, type MlflowRun, type MlflowServer, startMlflowServer } from '@serx/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const serxBin = join(root, 'packages/core/bin/serx.mjs');
const tag = (run: MlflowRun, key: string) => run.data.tags?.find((t) => t.key === key)?.value;
const param = (run: MlflowRun, key: string) => run.data.params?.find((p) => p.key === key)?.value;

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `serx …`; `onLine` sees each stdout line as it comes. */
function serx(
  args: string[],
  env: NodeJS.ProcessEnv,
  onLine?: (line: string, child: ChildProcess) => void,
): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [serxBin, ...args], { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) onLine?.(line, child);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let work: string;
let server: MlflowServer;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'serx-smoke-'));
  server = await startMlflowServer({ dir: join(work, 'mlflow') });
}, 120_000);
afterAll(async () => server?.stop());

describe('experiments/smoke.yaml', () => {
  it('runs every stage on real corpora, survives an MLflow outage, syncs, and reuses the cache with provenance', async () => {
    const cache = join(work, 'cache');
    const env = { MLFLOW_TRACKING_URI: server.uri, SERX_CACHE: cache };

    // 1. Cold run; the tracking server goes down when the frozen-encoder training starts.
    let stopping: Promise<void> | undefined;
    const first = await serx(['run', 'experiments/smoke.yaml'], env, (line) => {
      if (!stopping && /ser_frozen\[seed=1\]: running/.test(line)) stopping = server.stop();
    });
    expect(first.code, first.stderr).toBe(0);
    expect(stopping).toBeDefined();
    expect(first.stderr).toContain('serx sync');
    expect(first.stdout).toMatch(/run succeeded .*: 45 ran, 0 cached, 0 failed/);

    // 2. The server comes back; sync replays the journal once.
    server = await startMlflowServer({ dir: server.dir, port: server.port });
    const sync = await serx(['sync'], env);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toMatch(/synced [1-9]\d* event\(s\) from 1 journal/);
    const again = await serx(['sync'], env);
    expect(again.stdout).toContain('synced 0 event(s) from 0 journal(s)');

    const client = new MlflowClient(server.uri);
    const experiment = await client.getExperimentByName('smoke');
    expect(experiment).toBeDefined();
    const runs = await client.searchRuns([experiment!.experiment_id]);
    const parents = runs.filter((r) => !tag(r, 'mlflow.parentRunId'));
    expect(parents).toHaveLength(1);
    expect(parents[0]!.info.status).toBe('FINISHED');
    expect(tag(parents[0]!, 'mlflow.source.git.commit')).toMatch(/^[0-9a-f]{40}$/);
    const children = runs.filter((r) => tag(r, 'mlflow.parentRunId') === parents[0]!.info.run_id);
    // keyed by spec node id; the run names say what a run is (`ser_frozen seed=1`)
    const byName = new Map(children.map((r) => [tag(r, 'serx.node'), r]));
    expect([...byName.keys()].sort()).toEqual([
      'ae', // one encoder under every classifier seed (paper.yaml)
      'baseline_egemaps_logistic',
      'baseline_egemaps_svm',
      'baseline_logistic',
      'baseline_majority',
      'eval_baselines',
      'eval_finetune[seed=1]',
      'eval_frozen[seed=1]',
      'eval_scratch[seed=1]',
      'ser_finetune[seed=1]',
      'ser_frozen[seed=1]',
      'ser_scratch[seed=1]',
    ]);
    expect(children).toHaveLength(12); // nothing duplicated by the replay
    for (const run of children) {
      expect(run.info.status).toBe('FINISHED');
      expect(tag(run, 'serx.cacheHit')).toBe('false');
      expect(tag(run, 'serx.key')).toMatch(/^[0-9a-f]{64}$/);
    }
    const ae = byName.get('ae')!;
    expect(tag(ae, 'serx.stage')).toBe('autoencoder:pretrain');
    expect(ae.info.run_name).toBe('ae');
    expect(param(ae, 'ae.sparsity')).toBe('0.01');
    expect(param(ae, 'ae.epochs')).toBe('1');
    const frozen = byName.get('ser_frozen[seed=1]')!;
    expect(frozen.info.run_name).toBe('ser_frozen seed=1');
    expect(param(frozen, 'matrix.seed')).toBe('1');
    expect(param(frozen, 'ser_frozen.strategy')).toBe('frozen');
    const keys = (frozen.data.metrics ?? []).map((m) => m.key);
    expect(keys).toEqual(expect.arrayContaining(['loss', 'val_ua']));
    const loss = await client.getMetricHistory(frozen.info.run_id, 'loss');
    expect(loss).toHaveLength(1); // one epoch, logged once despite the outage and the replay
    expect((await client.listArtifacts(frozen.info.run_id)).length).toBeGreaterThan(0);
    const evaluation = byName.get('eval_frozen[seed=1]')!;
    expect(evaluation.data.metrics?.find((m) => m.key === 'ua.tess')?.value).toBeGreaterThanOrEqual(0);
    expect(tag(evaluation, 'collapsed')).toMatch(/^(true|false)$/);
    // the collapse check: a majority-class baseline predicts one class by construction
    const baselines = byName.get('eval_baselines')!;
    expect(tag(baselines, 'collapsed.baseline_majority')).toBe('true');
    expect(baselines.data.metrics?.find((m) => m.key === 'baseline_majority.max_class_share')?.value).toBe(1);

    // The report (self-contained HTML with its figures) is in the cache entry the record names.
    const record = JSON.parse(readFileSync(first.stdout.match(/record (\S+\.json)/)![1]!, 'utf8')) as {
      stages: { [id: string]: { status: string; key: string } };
    };
    expect(record.stages.report!.status).toBe('succeeded');
    const key = record.stages.report!.key;
    const html = readFileSync(join(cache, 'entries', key.slice(0, 2), key, 'report', 'report.html'), 'utf8');
    expect(html).toContain('UA on tess of ser_frozen minus ser_scratch');
    expect(html).toContain('Logistic regression on functionals (baseline)');
    // the field's standard baseline: eGeMAPS functionals computed by openSMILE
    expect(html).toContain('eGeMAPSv02 functionals + logistic regression (baseline)');
    expect(html).toContain('eGeMAPSv02 functionals + linear SVM (baseline)');
    expect(html).toMatch(/Majority class \(baseline\) ⚠ collapsed 1\/1/);
    expect(html.match(/<img |<svg/g)?.length ?? 0).toBeGreaterThanOrEqual(4);

    // 3. Everything cached: child runs are tagged with the runs that produced the artifacts.
    const second = await serx(['run', 'experiments/smoke.yaml'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/0 ran, 45 cached/);
    const all = await client.searchRuns([experiment!.experiment_id]);
    const reused = all.filter((r) => tag(r, 'serx.cacheHit') === 'true');
    expect(reused).toHaveLength(12);
    for (const run of reused) {
      const source = byName.get(tag(run, 'serx.node'));
      expect(tag(run, 'serx.sourceRun')).toBe(source!.info.run_id);
    }
  }, 900_000);

  it('refuses a spec that trains on the held-out corpus, naming the path of the leak', async () => {
    const spec = join(work, 'leak.yaml');
    writeFileSync(
      spec,
      [
        'name: leak',
        `extends: ${join(here, 'smoke.yaml')}`,
        'stages:',
        '  ser_scratch:',
        '    inputs:',
        '      data: [mfcc_emodb.features, mfcc_tess.features]',
        '',
      ].join('\n'),
    );
    const result = await serx(['run', spec], {
      SERX_CACHE: join(work, 'leak-cache'),
      MLFLOW_TRACKING_URI: '',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${spec}:6:`);
    expect(result.stderr).toMatch(/ingest_tess → split_tess → mfcc_tess → ser_scratch/);
    expect(existsSync(join(work, 'leak-cache', 'entries'))).toBe(false);
  }, 120_000);
});
