// Integration tests against a real MLflow server (the project's venv), no mocks.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineStage } from '../contract.ts';
import type { GraphNode, ResolvedSpec } from '../graph/types.ts';
import { MlflowClient, type MlflowRun } from './mlflow-client.ts';
import { type MlflowServer, startMlflowServer } from './mlflow-server.ts';
import { MlflowTracker } from './mlflow-tracker.ts';
import { syncJournals } from './sync.ts';

const spec: ResolvedSpec = {
  name: 'tracker-test',
  file: '/specs/tracker-test.yaml',
  files: ['/specs/tracker-test.yaml'],
  heldOut: ['tess'],
  plugins: [],
  tracking: undefined,
  document: { name: 'tracker-test', matrix: { seed: [1, 2] }, vars: { data: '/data' } },
};

function node(id: string, tracked: boolean, params: GraphNode['params'] = {}): GraphNode {
  const definition = defineStage({
    name: tracked ? 'test:train' : 'test:ingest',
    version: '1',
    params: { type: 'object' },
    inputs: {},
    outputs: { out: { type: 'x' } },
    tracked,
    run: async () => {},
  });
  return {
    id,
    stageId: id.replace(/\[.*$/, ''),
    variant: {},
    definition,
    plugin: { name: '@serx/test', version: '0.0.1' },
    params,
    seed: 1,
    pin: false,
    inputs: {},
    corpora: [],
    loc: { file: spec.file, line: 1, col: 1 },
  };
}

const tag = (run: MlflowRun, key: string) => run.data.tags?.find((t) => t.key === key)?.value;
const param = (run: MlflowRun, key: string) => run.data.params?.find((p) => p.key === key)?.value;

let server: MlflowServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'serx-mlflow-'));
  server = await startMlflowServer({ dir: join(dir, 'server') });
}, 120_000);
afterAll(async () => server?.stop(), 60_000);

describe('MlflowTracker on a real server', () => {
  it('records a parent run, nested child runs with params, stepped metrics, tags, artifacts and cache provenance', async () => {
    const journalDir = join(dir, 'journal-a');
    const artifact = join(dir, 'history.json');
    writeFileSync(artifact, '{"loss":[0.9,0.5]}');
    const ae = node('ae', true, { sparsity: 0.0001, layers: [{ filters: 8 }] });

    const first = new MlflowTracker({ trackingUri: server.uri, journalDir, warn: () => {} });
    first.runStarted({ runId: 'run-1', spec, gitCommit: 'abc123', startedAt: Date.now() });
    first.stageStarted({ node: node('ingest', false), key: 'k-ingest', cacheHit: false });
    first.metric('ingest', 'utterances', 535, undefined, Date.now());
    first.stageFinished('ingest', 'succeeded', { durationMs: 10 });
    first.stageStarted({ node: ae, key: 'k-ae', cacheHit: false });
    first.metric('ae', 'loss', 0.9, 1, Date.now());
    first.metric('ae', 'loss', 0.5, 2, Date.now());
    first.artifact('ae', artifact);
    first.stageFinished('ae', 'succeeded', { durationMs: 1500, metrics: { 'val_ua.tess': 0.61 } });
    first.runFinished('succeeded', { stages: 2 });
    await first.close();

    const second = new MlflowTracker({ trackingUri: server.uri, journalDir, warn: () => {} });
    second.runStarted({ runId: 'run-2', spec, gitCommit: 'abc123', startedAt: Date.now() });
    second.stageStarted({ node: ae, key: 'k-ae', cacheHit: true });
    second.stageFinished('ae', 'cached', { durationMs: 1 });
    second.runFinished('succeeded', {});
    await second.close();

    const client = new MlflowClient(server.uri);
    const experiment = await client.getExperimentByName('tracker-test');
    expect(experiment).toBeDefined();
    const runs = await client.searchRuns([experiment!.experiment_id]);
    expect(runs).toHaveLength(4);
    const parents = runs.filter((r) => !tag(r, 'mlflow.parentRunId'));
    const children = runs.filter((r) => tag(r, 'mlflow.parentRunId'));
    expect(parents).toHaveLength(2);
    expect(children.map((r) => tag(r, 'serx.cacheHit')).sort()).toEqual(['false', 'true']);

    const trained = children.find((r) => tag(r, 'serx.cacheHit') === 'false')!;
    const reused = children.find((r) => tag(r, 'serx.cacheHit') === 'true')!;
    const parentOfTrained = parents.find((p) => p.info.run_id === tag(trained, 'mlflow.parentRunId'))!;
    expect(tag(parentOfTrained, 'mlflow.source.git.commit')).toBe('abc123');
    expect(param(parentOfTrained, 'heldOut')).toBe('["tess"]');
    expect(param(parentOfTrained, 'matrix.seed')).toBe('[1,2]');
    expect(parentOfTrained.data.metrics?.find((m) => m.key === 'ingest.utterances')?.value).toBe(535);
    expect(parentOfTrained.info.status).toBe('FINISHED');

    expect(tag(trained, 'mlflow.runName')).toBe('ae');
    expect(tag(trained, 'serx.stage')).toBe('test:train');
    expect(tag(trained, 'serx.key')).toBe('k-ae');
    expect(param(trained, 'ae.sparsity')).toBe('0.0001');
    expect(param(trained, 'ae.layers.0.filters')).toBe('8');
    expect(param(trained, 'ae.seed')).toBe('1');
    const history = await client.getMetricHistory(trained.info.run_id, 'loss');
    expect(history.map((m) => [m.step, m.value])).toEqual([
      [1, 0.9],
      [2, 0.5],
    ]);
    expect(trained.data.metrics?.find((m) => m.key === 'val_ua.tess')?.value).toBe(0.61);
    expect((await client.listArtifacts(trained.info.run_id)).map((f) => f.path)).toEqual(['history.json']);
    expect(tag(reused, 'serx.sourceRun')).toBe(trained.info.run_id);
  }, 60_000);

  it('keeps events in the journal while the server is down and `sync` replays them once', async () => {
    const journalDir = join(dir, 'journal-b');
    const outageSpec = { ...spec, name: 'outage-test' };
    const tracker = new MlflowTracker({ trackingUri: server.uri, journalDir, warn: () => {} });
    const train = node('train[seed=1]', true, { epochs: 3 });
    tracker.runStarted({
      runId: 'run-outage',
      spec: outageSpec,
      gitCommit: undefined,
      startedAt: Date.now(),
    });
    tracker.stageStarted({ node: train, key: 'k-train', cacheHit: false });
    tracker.metric('train[seed=1]', 'loss', 1.0, 1, 1000);
    await new Promise((r) => setTimeout(r, 1500));

    await server.stop();
    tracker.metric('train[seed=1]', 'loss', 0.8, 2, 2000);
    tracker.metric('train[seed=1]', 'loss', 0.6, 3, 3000);
    tracker.stageFinished('train[seed=1]', 'succeeded', { durationMs: 5, metrics: { ua: 0.55 } });
    tracker.runFinished('succeeded', {});
    await tracker.close();

    server = await startMlflowServer({ dir: server.dir, port: server.port });
    const report = await syncJournals(server.uri, journalDir);
    expect(report.failed).toEqual([]);
    expect(report.applied).toBeGreaterThan(0);
    const again = await syncJournals(server.uri, journalDir);
    expect(again).toEqual({ journals: 0, applied: 0, failed: [] });

    const client = new MlflowClient(server.uri);
    const experiment = await client.getExperimentByName('outage-test');
    const runs = await client.searchRuns([experiment!.experiment_id]);
    expect(runs).toHaveLength(2);
    const child = runs.find((r) => tag(r, 'mlflow.parentRunId'))!;
    expect(child.info.status).toBe('FINISHED');
    const history = await client.getMetricHistory(child.info.run_id, 'loss');
    expect(history.map((m) => [m.step, m.value])).toEqual([
      [1, 1.0],
      [2, 0.8],
      [3, 0.6],
    ]);
    expect(child.data.metrics?.find((m) => m.key === 'ua')?.value).toBe(0.55);
  }, 180_000);

  it('resumes by itself after a transient outage, with nothing lost or duplicated', async () => {
    const journalDir = join(dir, 'journal-c');
    const warnings: string[] = [];
    const tracker = new MlflowTracker({
      trackingUri: server.uri,
      journalDir,
      retryAfterMs: 0,
      warn: (m) => warnings.push(m),
    });
    const train = node('train', true);
    tracker.runStarted({
      runId: 'run-blip',
      spec: { ...spec, name: 'blip-test' },
      gitCommit: undefined,
      startedAt: Date.now(),
    });
    tracker.stageStarted({ node: train, key: 'k-blip', cacheHit: false });
    tracker.metric('train', 'loss', 1.0, 1, 1000);
    await new Promise((r) => setTimeout(r, 1500));
    await server.stop();
    tracker.metric('train', 'loss', 0.8, 2, 2000);
    await new Promise((r) => setTimeout(r, 500));
    server = await startMlflowServer({ dir: server.dir, port: server.port });
    tracker.metric('train', 'loss', 0.6, 3, 3000);
    tracker.stageFinished('train', 'succeeded', { durationMs: 5 });
    tracker.runFinished('succeeded', {});
    await tracker.close();

    expect(warnings.some((w) => w.startsWith('MLflow tracking paused'))).toBe(true);
    expect(warnings.some((w) => w.startsWith('MLflow tracking resumed'))).toBe(true);
    expect(warnings.some((w) => w.includes('serx sync'))).toBe(false);
    const client = new MlflowClient(server.uri);
    const experiment = await client.getExperimentByName('blip-test');
    const runs = await client.searchRuns([experiment!.experiment_id]);
    expect(runs).toHaveLength(2);
    const child = runs.find((r) => tag(r, 'mlflow.parentRunId'))!;
    const history = await client.getMetricHistory(child.info.run_id, 'loss');
    expect(history.map((m) => [m.step, m.value])).toEqual([
      [1, 1.0],
      [2, 0.8],
      [3, 0.6],
    ]);
  }, 180_000);
});
