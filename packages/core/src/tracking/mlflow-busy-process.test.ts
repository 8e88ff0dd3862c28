// The false outage of issue 16, against a real MLflow server: a stage that blocks the event loop
// (as synchronous native TensorFlow ops do for a whole epoch) for longer than the server's
// keep-alive timeout between two metric logs. Tracking must neither pause nor duplicate a step.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defineStage } from '../contract.ts';
import type { Graph } from '../graph/types.ts';
import { runGraph } from '../run/run-graph.ts';
import { MlflowClient } from './mlflow-client.ts';
import { type MlflowServer, startMlflowServer } from './mlflow-server.ts';
import { MlflowTracker } from './mlflow-tracker.ts';

const KEEP_ALIVE_S = 1;
const BLOCK_MS = 6000;
const EPOCHS = 3;

/** Blocks this thread like a synchronous native op: no timer, socket or promise runs meanwhile. */
const blockEventLoop = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

const busyTrain = defineStage({
  name: 'test:busy-train',
  version: '1',
  params: { type: 'object' },
  inputs: {},
  outputs: { model: { type: 'model' } },
  tracked: true,
  async run(ctx) {
    for (let epoch = 1; epoch <= EPOCHS; epoch++) {
      blockEventLoop(BLOCK_MS);
      ctx.metrics.metric('loss', 1 / epoch, epoch);
      // what the trainer does between epochs: a checkpoint write, a few turns of the event loop
      await writeFile(join(ctx.outputs.model!, 'checkpoint.json'), JSON.stringify({ epoch }));
    }
    return { metrics: { ua: 0.5 } };
  },
});

function busyGraph(): Graph {
  const file = join(dir, 'busy.yaml');
  writeFileSync(file, 'name: busy-test\nstages: { train: { uses: test:busy-train } }\n');
  const spec = {
    name: 'busy-test',
    file,
    files: [file],
    heldOut: [],
    plugins: ['@serx/test'],
    tracking: undefined,
    document: { name: 'busy-test' },
  };
  const node = {
    id: 'train',
    stageId: 'train',
    variant: {},
    definition: busyTrain,
    plugin: { name: '@serx/test', version: '0.0.1' },
    params: {},
    seed: 1,
    pin: false,
    inputs: {},
    corpora: [],
    loc: { file, line: 1, col: 1 },
  };
  return { spec, nodes: new Map([['train', node]]), order: ['train'] };
}

let server: MlflowServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'serx-mlflow-busy-'));
  server = await startMlflowServer({ dir: join(dir, 'server'), keepAliveS: KEEP_ALIVE_S });
  await new MlflowClient(server.uri).getExperimentByName('warm-up'); // a fresh server's first answer is slow
}, 120_000);
afterAll(async () => server?.stop(), 60_000);

it('a stage that blocks the event loop past the keep-alive timeout causes no pause and no duplicate step', async () => {
  const warnings: string[] = [];
  const tracker = new MlflowTracker({
    trackingUri: server.uri,
    journalDir: join(dir, 'journal'),
    // shorter than one blocked "epoch": a timer measured on the blocked loop would expire
    requestTimeoutMs: BLOCK_MS - 1000,
    warn: (m) => warnings.push(m),
  });
  const summary = await runGraph(busyGraph(), { cache: join(dir, 'cache'), trackers: [tracker] });
  expect(summary.status).toBe('succeeded');

  expect(warnings).toEqual([]);
  const client = new MlflowClient(server.uri);
  const experiment = await client.getExperimentByName('busy-test');
  const runs = await client.searchRuns([experiment!.experiment_id]);
  expect(runs).toHaveLength(2);
  const child = runs.find((r) => r.data.tags?.some((t) => t.key === 'mlflow.parentRunId'))!;
  const history = await client.getMetricHistory(child.info.run_id, 'loss');
  expect(history.map((m) => [m.step, m.value]).sort((a, b) => a[0]! - b[0]!)).toEqual([
    [1, 1],
    [2, 0.5],
    [3, 1 / 3],
  ]);
  expect(child.info.status).toBe('FINISHED');
}, 120_000);
