// `serx compare` and the MLflow UI niceties, on a real MLflow server fed by the real tracker.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';
import { defineStage, type Json } from '../contract.ts';
import type { GraphNode, ResolvedSpec } from '../graph/types.ts';
import { formatCompare } from './compare-format.ts';
import { buildCompareTable } from './compare-table.ts';
import { MlflowClient, type MlflowRun } from './mlflow-client.ts';
import { type MlflowServer, startMlflowServer } from './mlflow-server.ts';
import { MlflowTracker } from './mlflow-tracker.ts';
import { readTrackedRuns } from './tracked-runs.ts';

const stage = (name: string, tracked: boolean) =>
  defineStage({
    name,
    version: '1',
    params: { type: 'object' },
    inputs: {
      data: { type: 'features', many: true, fits: true },
      features: { type: 'features', many: true },
    },
    outputs: { out: { type: 'x' } },
    tracked,
    run: async () => {},
  });
const mfccStage = stage('features:mfcc', false);
const trainStage = stage('ser:train', true);
const evalStage = stage('analysis:evaluate', true);

let server: MlflowServer;
let dir: string;
let spec: ResolvedSpec;

function node(
  id: string,
  definition: GraphNode['definition'],
  options: {
    seed?: number;
    corpora?: string[];
    inputs?: GraphNode['inputs'];
    params?: GraphNode['params'];
  } = {},
): GraphNode {
  return {
    id,
    stageId: id.replace(/\[.*$/, ''),
    variant: options.seed === undefined ? {} : { seed: options.seed },
    definition,
    plugin: { name: '@serx/test', version: '0.0.1' },
    params: options.params ?? {},
    seed: options.seed ?? 0,
    pin: false,
    inputs: options.inputs ?? {},
    corpora: options.corpora ?? [],
    loc: { file: spec.file, line: 1, col: 1 },
  };
}

/** One `serx run`: two corpora's features, then per seed a model and two evaluations. */
async function trackRun(
  runId: string,
  seeds: number[],
  ua: (method: string, seed: number) => [number, number],
) {
  const tracker = new MlflowTracker({
    trackingUri: server.uri,
    journalDir: join(dir, 'journal'),
    warn: () => {},
  });
  tracker.runStarted({ runId, spec, gitCommit: 'f'.repeat(40), startedAt: Date.now() });
  for (const corpus of ['emodb', 'tess']) {
    const mfcc = node(`mfcc_${corpus}`, mfccStage, { corpora: [corpus] });
    tracker.stageStarted({ node: mfcc, key: `key-of-mfcc-${corpus}`, cacheHit: false });
    tracker.metric(mfcc.id, 'utterances', corpus === 'emodb' ? 535 : 2800, undefined, Date.now());
    tracker.stageFinished(mfcc.id, 'succeeded', { durationMs: 1 });
  }
  for (const seed of seeds) {
    const train = node(`train[seed=${seed}]`, trainStage, {
      seed,
      inputs: { data: [{ node: 'mfcc_emodb', output: 'features' }] },
      params: { epochs: 30, lr: seed === 1 ? 0.001 : 0.0005 },
    });
    tracker.stageStarted({ node: train, key: `key-train-${seed}`, cacheHit: false });
    tracker.stageFinished(train.id, 'succeeded', { durationMs: 1 });
    for (const method of ['eval_a', 'eval_b']) {
      const id = `${method}[seed=${seed}]`;
      tracker.stageStarted({ node: node(id, evalStage, { seed }), key: `key-${id}`, cacheHit: false });
      const [emodb, tess] = ua(method, seed);
      tracker.stageFinished(id, 'succeeded', {
        durationMs: 1,
        metrics: { 'ua.emodb': emodb, 'ua.tess': tess, 'wa.emodb': emodb + 0.01, 'ua.within_mean': emodb },
      });
    }
  }
  if (runId === 'run-new') {
    // one evaluation of two models (the baselines): its keys carry the model name
    const baselines = node('eval_baselines', evalStage);
    tracker.stageStarted({ node: baselines, key: 'key-eval-baselines', cacheHit: false });
    tracker.stageFinished(baselines.id, 'succeeded', {
      durationMs: 1,
      metrics: {
        'majority.ua.emodb': 1 / 3,
        'majority.ua.tess': 1 / 3,
        'logistic.ua.emodb': 0.5,
        'logistic.ua.tess': 0.45,
      },
    });
  }
  tracker.runFinished('succeeded', {});
  await tracker.close();
}

const UA: { [method: string]: [number, number][] } = {
  eval_a: [
    [0.6, 0.4],
    [0.62, 0.45],
    [0.64, 0.5],
  ],
  eval_b: [
    [0.7, 0.55],
    [0.71, 0.6],
    [0.72, 0.65],
  ],
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'serx-compare-'));
  // A spec in a git work tree with an uncommitted edit: the parent run must say "dirty".
  const specs = join(dir, 'specs');
  execFileSync('git', ['init', '-q', '-b', 'lab', specs]);
  writeFileSync(join(specs, 'base.yaml'), 'name: base\nheldOut: [tess]\n');
  writeFileSync(join(specs, 'exp.yaml'), 'name: compare-test\nextends: ./base.yaml\n');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: specs });
  git('add', '.');
  git('commit', '-q', '-m', 'specs');
  appendFileSync(join(specs, 'exp.yaml'), 'matrix: { seed: [1, 2, 3] }\n');
  spec = {
    name: 'compare-test',
    file: join(specs, 'exp.yaml'),
    files: [join(specs, 'exp.yaml'), join(specs, 'base.yaml')],
    heldOut: ['tess'],
    plugins: [],
    tracking: undefined,
    document: { name: 'compare-test', heldOut: ['tess'], matrix: { seed: [1, 2, 3] } } as {
      [k: string]: Json;
    },
  };
  server = await startMlflowServer({ dir: join(dir, 'server') });
  // An earlier run of seed 1 that the later run supersedes (its eval_a value must not count).
  await trackRun('run-old', [1], () => [0.1, 0.1]);
  await trackRun('run-new', [1, 2, 3], (method, seed) => UA[method]![seed - 1]!);
}, 180_000);
afterAll(async () => server?.stop(), 60_000);

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (chunk) => {
    out += chunk;
  });
  const io = { stdout, stderr: new PassThrough(), cwd: dir, env: { COLUMNS: '100' } };
  const code = await main(argv, io);
  return { code, out };
}

describe('serx compare on a real MLflow server', () => {
  it('by method: UA per test corpus, mean ± t interval over seeds, the newest run of a seed counting', async () => {
    const table = buildCompareTable(await readTrackedRuns(server.uri, 'compare-test'));
    expect(table.metrics).toEqual(['ua.emodb', 'ua.tess']); // Table 2: held-out corpus last, no within_mean
    // the baselines' evaluation holds two models: each is a method, named after its model
    expect(table.rows.map((r) => r.label)).toEqual(['eval_a', 'eval_b', 'logistic', 'majority']);
    expect(table.rows[3]!.cells.map((c) => c?.mean)).toEqual([1 / 3, 1 / 3]);
    const a = table.rows[0]!.cells[0]!;
    expect(a.values).toEqual([0.6, 0.62, 0.64]);
    expect(a.mean).toBeCloseTo(0.62, 12);
    // t(0.975, 2) = 4.302652729911275; sd = 0.02; half = t · sd / √3
    expect(a.half).toBeCloseTo((4.302652729911275 * 0.02) / Math.sqrt(3), 10);
    expect(a.n).toBe(3);
    const tess = table.rows[0]!.cells[1]!;
    expect(tess.lo).toBeCloseTo(0.45 - (4.302652729911275 * 0.05) / Math.sqrt(3), 10);

    const { code, out } = await cli('compare', 'compare-test', '--tracking-uri', server.uri);
    expect(code).toBe(0);
    expect(out).toBe(
      [
        'method         emodb        tess*',
        '--------  ----------  -----------',
        'eval_a    62.0 ± 5.0  45.0 ± 12.4',
        'eval_b    71.0 ± 2.5  60.0 ± 12.4',
        'logistic        50.0         45.0',
        'majority        33.3         33.3',
        '',
        'UA (%): mean ± half-width of the 95% t interval over seeds; n = 1–3 seeds; * held-out (unseen)',
        'corpus.',
        `MLflow UI: ${table.uiUrl}`,
        '',
      ].join('\n'),
    );
  }, 60_000);

  it('fits a narrow terminal by splitting columns into blocks; --by seed, --metric, csv and md', async () => {
    const experiment = await readTrackedRuns(server.uri, 'compare-test');
    const bySeed = buildCompareTable(experiment, { by: 'seed', metrics: ['ua.tess', 'wa.emodb'] });
    expect(bySeed.rows.map((r) => r.label)).toEqual([
      'eval_a seed=1',
      'eval_a seed=2',
      'eval_a seed=3',
      'eval_b seed=1',
      'eval_b seed=2',
      'eval_b seed=3',
      'logistic',
      'majority',
    ]);
    const narrow = formatCompare(bySeed, 'table', 24).split('\n');
    expect(narrow.slice(0, 9)).toEqual([
      'method         ua.tess*',
      '-------------  --------',
      'eval_a seed=1      40.0',
      'eval_a seed=2      45.0',
      'eval_a seed=3      50.0',
      'eval_b seed=1      55.0',
      'eval_b seed=2      60.0',
      'eval_b seed=3      65.0',
      'logistic           45.0',
    ]);
    expect(narrow[11]).toBe('method         wa.emodb');
    expect(narrow.every((l) => l.length <= 24 || l.startsWith('MLflow UI'))).toBe(true);

    const csv = (await cli('compare', 'compare-test', '--tracking-uri', server.uri, '--format', 'csv')).out;
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('label,method,seed,metric,mean,ci_lo,ci_hi,sd,n,level,values,run_ids');
    expect(lines).toHaveLength(9);
    expect(lines[1]).toMatch(
      /^eval_a,eval_a,,ua\.emodb,0\.62\d*,0\.570\d+,0\.669\d+,0\.02\d*,3,0\.95,0\.6 0\.62 0\.64,/,
    );

    const md = (await cli('compare', 'compare-test', '--tracking-uri', server.uri, '--format', 'md')).out;
    expect(md.split('\n').slice(0, 5)).toEqual([
      '| method | emodb | tess* |',
      '|---|---:|---:|',
      '| eval_a | 62.0 ± 5.0 | 45.0 ± 12.4 |',
      '| eval_b | 71.0 ± 2.5 | 60.0 ± 12.4 |',
      '| logistic | 50.0 | 45.0 |',
    ]);
    const json = JSON.parse(
      (
        await cli(
          'compare',
          'compare-test',
          '--tracking-uri',
          server.uri,
          '--format',
          'json',
          '--metric',
          'ua.within_mean',
        )
      ).out,
    );
    expect(json.metrics).toEqual(['ua.within_mean']);
    expect(json.rows[1].cells[0].mean).toBeCloseTo(0.71, 12);
  }, 60_000);

  it('--runs diffs two runs’ params; bad flags are usage errors', async () => {
    const { code, out } = await cli(
      'compare',
      'compare-test',
      '--tracking-uri',
      server.uri,
      '--runs',
      'train seed=1,train seed=2',
    );
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^a: train seed=1 \([0-9a-f]{32}\)$/);
    expect(lines.slice(3)).toEqual([
      'param        a      b',
      '-----------  -----  --------',
      'lr           0.001  0.0005',
      'matrix.seed  1      2',
      'seed         1      2',
      '',
      '3 param(s) differ, 1 equal',
      '',
    ]);
    expect((await cli('compare', 'compare-test', '--tracking-uri', server.uri, '--by', 'corpus')).code).toBe(
      2,
    );
    expect((await cli('compare', 'no-such-experiment', '--tracking-uri', server.uri)).code).toBe(2);
  }, 60_000);

  it('names runs by what they are, logs the spec, the git state and the dataset inputs', async () => {
    const client = new MlflowClient(server.uri);
    const experiment = await client.getExperimentByName('compare-test');
    const runs = await client.searchRuns([experiment!.experiment_id], '', ['attributes.start_time DESC']);
    const tag = (run: MlflowRun, key: string) => run.data.tags?.find((t) => t.key === key)?.value;
    const parent = runs.find((r) => !tag(r, 'mlflow.parentRunId'))!;
    expect(tag(parent, 'mlflow.source.git.commit')).toBe('f'.repeat(40));
    expect(tag(parent, 'serx.git.dirty')).toBe('true');
    expect(tag(parent, 'mlflow.source.git.branch')).toBe('lab');
    const files = await client.listArtifacts(parent.info.run_id, 'spec');
    expect(files.map((f) => f.path).sort()).toEqual([
      'spec/base.yaml',
      'spec/exp.yaml',
      'spec/resolved.yaml',
    ]);

    const train = runs.find((r) => r.info.run_name === 'train seed=2')!;
    expect(tag(train, 'serx.node')).toBe('train[seed=2]');
    const raw = (await (
      await fetch(`${server.uri}/api/2.0/mlflow/runs/get?run_id=${train.info.run_id}`)
    ).json()) as {
      run: {
        inputs: {
          dataset_inputs: { tags: { key: string; value: string }[]; dataset: Record<string, string> }[];
        };
      };
    };
    const [input] = raw.run.inputs.dataset_inputs;
    expect(raw.run.inputs.dataset_inputs).toHaveLength(1);
    expect(input!.dataset.name).toBe('emodb');
    expect(input!.dataset.digest).toBe('key-of-mfcc-emodb');
    expect(JSON.parse(input!.dataset.profile!)).toEqual({ num_rows: 535 });
    expect(input!.tags).toContainEqual({ key: 'mlflow.data.context', value: 'training' });
  }, 60_000);
});
