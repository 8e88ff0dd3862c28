/**
 * Tracks a `serx run` in MLflow: one parent run per `serx run`, one nested child run per
 * model-level (`tracked: true`) stage, executed or reused from cache. Events go to the journal
 * first; a pump in its own thread replays them, so a stage blocking this thread cannot starve
 * tracking. When the server is down or fails, the run goes on and the events wait in the journal
 * for the pump's next try or `serx sync`.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import type { Json } from '../contract.ts';
import type { GraphNode, ResolvedSpec } from '../graph/types.ts';
import { yaml } from '../spec/yaml-tree.ts';
import { datasetInputs, type ProducerFacts } from './dataset-inputs.ts';
import { flattenParams } from './flatten-params.ts';
import { gitState } from './git-state.ts';
import { Journal, type JournalOp } from './journal.ts';
import type { RunStatus } from './mlflow-client.ts';
import { PumpThread } from './pump-thread.ts';
import type { RunInfo, StageStartInfo, StageStatus, Tracker } from './types.ts';

const PARENT = 'parent';

export interface MlflowTrackerOptions {
  trackingUri: string;
  /** Directory of journals (under the cache dir). */
  journalDir: string;
  /** Experiment name; defaults to the spec's name. */
  experimentName?: string;
  /** After a failed request, how long to keep journaling before trying the server again (default 30 s). */
  retryAfterMs?: number;
  /** Per-request timeout of the MLflow client (default 15 s). */
  requestTimeoutMs?: number;
  warn?: (message: string) => void;
}

export class MlflowTracker implements Tracker {
  private journal: Journal | undefined;
  private pump: PumpThread | undefined;
  private experiment = '';
  private readonly tracked = new Map<string, GraphNode>();
  /** Every stage seen so far, for the dataset inputs of the tracked stages downstream. */
  private readonly producers = new Map<string, ProducerFacts>();
  private readonly warn: (message: string) => void;
  /** Tag `serx.overrides` of every run (parent and children) when the spec was overridden on the command line. */
  private overrideTags: { key: string; value: string }[] = [];

  constructor(private readonly options: MlflowTrackerOptions) {
    this.warn = options.warn ?? ((m) => process.stderr.write(`warning: ${m}\n`));
  }

  /** The journal of the current run (for `serx sync` and tests). */
  get journalFile(): string | undefined {
    return this.journal?.file;
  }

  runStarted(run: RunInfo): void {
    this.journal = new Journal(this.options.journalDir, run.runId);
    this.pump = new PumpThread(
      {
        type: 'open',
        trackingUri: this.options.trackingUri,
        journalDir: this.options.journalDir,
        localRunId: run.runId,
        retryAfterMs: this.options.retryAfterMs ?? 30_000,
        timeoutMs: this.options.requestTimeoutMs ?? 15_000,
      },
      this.warn,
    );
    this.experiment = this.options.experimentName ?? run.spec.name;
    const git = run.gitCommit ? gitState(dirname(run.spec.file)) : undefined;
    const tags = [
      { key: 'serx.spec', value: run.spec.file },
      { key: 'serx.runId', value: run.runId },
      ...(run.gitCommit ? [{ key: 'mlflow.source.git.commit', value: run.gitCommit }] : []),
      ...(git?.dirty !== undefined ? [{ key: 'serx.git.dirty', value: String(git.dirty) }] : []),
      ...(git?.branch ? [{ key: 'mlflow.source.git.branch', value: git.branch }] : []),
      { key: 'mlflow.source.name', value: run.spec.file },
      { key: 'mlflow.source.type', value: 'LOCAL' },
    ];
    const overrides = overrideArgs(run.spec);
    this.overrideTags = overrides.length ? [{ key: 'serx.overrides', value: JSON.stringify(overrides) }] : [];
    tags.push(...this.overrideTags);
    const runName = `${run.spec.name} ${new Date(run.startedAt).toISOString().replace(/\.\d+Z$/, 'Z')}`;
    this.emit({
      op: 'run',
      target: PARENT,
      experiment: this.experiment,
      runName,
      startTime: run.startedAt,
      tags,
    });
    const doc = run.spec.document;
    const params = flattenParams({
      heldOut: run.spec.heldOut,
      matrix: (doc.matrix ?? {}) as Json,
      vars: (doc.vars ?? {}) as Json,
    });
    // one param per overridden path, so that `serx compare --runs` lists them among the differences
    for (const o of run.spec.overrides ?? [])
      Object.assign(params, flattenParams(o.deleted ? '(deleted)' : (o.value ?? null), `override.${o.path}`));
    this.emit({ op: 'log', target: PARENT, params: toEntries(params) });
    for (const [path, artifactPath] of this.snapshotSpec(run))
      this.emit({ op: 'artifact', target: PARENT, path, artifactPath });
  }

  /**
   * Copies the spec files (the file and what it extends) and writes the resolved spec beside the
   * journal, so that what is uploaded, maybe later by `serx sync`, is what this run used.
   */
  private snapshotSpec(run: RunInfo): [string, string][] {
    const dir = join(this.options.journalDir, `${run.runId}.spec`);
    try {
      mkdirSync(dir, { recursive: true });
      const out: [string, string][] = [];
      const names = new Set<string>();
      for (const file of run.spec.files) {
        let name = basename(file);
        for (let i = 2; names.has(name); i++) name = `${i}-${basename(file)}`;
        names.add(name);
        copyFileSync(file, join(dir, name));
        out.push([join(dir, name), `spec/${name}`]);
      }
      const resolved = join(dir, 'resolved.yaml');
      writeFileSync(resolved, resolvedYaml(run.spec));
      out.push([resolved, 'spec/resolved.yaml']);
      return out;
    } catch (error) {
      this.warn(`could not snapshot the spec for MLflow: ${(error as Error).message}`);
      return [];
    }
  }

  stageStarted({ node, key, cacheHit }: StageStartInfo): void {
    this.producers.set(node.id, { node, key });
    if (!node.definition.tracked) return;
    this.tracked.set(node.id, node);
    const tags = [
      { key: 'serx.stage', value: node.definition.name },
      { key: 'serx.node', value: node.id },
      { key: 'serx.variant', value: JSON.stringify(node.variant) },
      { key: 'serx.key', value: key },
      { key: 'serx.cacheHit', value: String(cacheHit) },
      { key: 'serx.plugin', value: `${node.plugin.name}@${node.plugin.version}` },
      ...this.overrideTags,
    ];
    this.emit({
      op: 'run',
      target: node.id,
      parent: PARENT,
      experiment: this.experiment,
      runName: runNameOf(node),
      startTime: Date.now(),
      tags,
    });
    const params = flattenParams({
      [node.stageId]: { ...node.params, seed: node.seed } as Json,
      matrix: node.variant as Json,
    });
    this.emit({ op: 'log', target: node.id, params: toEntries(params) });
    const datasets = datasetInputs(node, this.producers);
    if (datasets.length) this.emit({ op: 'inputs', target: node.id, datasets });
    if (cacheHit) this.emit({ op: 'source', target: node.id, key });
  }

  metric(nodeId: string, name: string, value: number, step: number | undefined, timestamp: number): void {
    const producer = this.producers.get(nodeId);
    if (producer && name === 'utterances') producer.utterances = value;
    const [target, key] = this.route(nodeId, name);
    if (!Number.isFinite(value)) {
      this.warn(`metric ${key} of ${nodeId} is ${value}; not tracked`);
      return;
    }
    this.emit({ op: 'log', target, metrics: [{ key, value, timestamp, step: step ?? 0 }] });
  }

  tag(nodeId: string, name: string, value: string): void {
    const [target, key] = this.route(nodeId, name);
    this.emit({ op: 'log', target, tags: [{ key, value }] });
  }

  artifact(nodeId: string, path: string): void {
    const [target] = this.route(nodeId, '');
    const prefix = target === PARENT ? `${sanitize(nodeId)}/` : '';
    this.emit({ op: 'artifact', target, path, artifactPath: prefix + artifactPathOf(path) });
  }

  stageFinished(
    nodeId: string,
    status: StageStatus,
    summary: { metrics?: { [name: string]: number }; error?: string; durationMs: number },
  ): void {
    const timestamp = Date.now();
    for (const [name, value] of Object.entries(summary.metrics ?? {}))
      this.metric(nodeId, name, value, undefined, timestamp);
    if (!this.tracked.has(nodeId)) return;
    const tags = [
      { key: 'serx.status', value: status },
      ...(summary.error ? [{ key: 'serx.error', value: summary.error }] : []),
    ];
    this.emit({
      op: 'log',
      target: nodeId,
      tags,
      metrics: [{ key: 'duration_s', value: summary.durationMs / 1000, timestamp, step: 0 }],
    });
    this.emit({ op: 'end', target: nodeId, status: runStatus(status), endTime: timestamp });
  }

  runFinished(status: 'succeeded' | 'failed' | 'interrupted', summary: { [key: string]: Json }): void {
    const metrics = Object.entries(summary)
      .filter((e): e is [string, number] => typeof e[1] === 'number')
      .map(([key, value]) => ({ key: sanitize(key), value, timestamp: Date.now(), step: 0 }));
    if (metrics.length) this.emit({ op: 'log', target: PARENT, metrics });
    this.emit({ op: 'end', target: PARENT, status: runStatus(status), endTime: Date.now() });
  }

  async close(): Promise<void> {
    await this.pump?.close();
    const pending = this.journal?.pending() ?? 0;
    if (pending > 0) {
      this.warn(
        `${pending} tracking event(s) could not reach MLflow at ${this.options.trackingUri}; they are kept in ${this.journal!.file}. Run \`serx sync\` when the server is back.`,
      );
    }
  }

  private route(nodeId: string, name: string): [string, string] {
    return this.tracked.has(nodeId)
      ? [nodeId, sanitize(name)]
      : [PARENT, sanitize(name ? `${nodeId}.${name}` : nodeId)];
  }

  private emit(op: JournalOp): void {
    this.journal!.append(op);
    this.pump!.drain();
  }
}

/** The command-line overrides as typed (`--set ser_scratch.epochs=5`), once per argument, in order. */
export function overrideArgs(spec: ResolvedSpec): string[] {
  return [...new Map((spec.overrides ?? []).map((o) => [o.arg, `${o.flag} ${o.text}`])).values()];
}

/** The resolved spec as YAML; when overridden on the command line, a comment above lists the overrides. */
export function resolvedYaml(spec: ResolvedSpec): string {
  const doc = new (yaml().Document)(spec.document);
  const overrides = spec.overrides ?? [];
  if (overrides.length > 0)
    doc.commentBefore = [
      ` Overrides applied over ${basename(spec.file)} (serx ... ${overrideArgs(spec).join(' ')}):`,
      ...overrides.map(
        (o) => ` ${o.arg}: ${o.path} ${o.deleted ? 'deleted' : `= ${JSON.stringify(o.value)}`}`,
      ),
    ].join('\n');
  return doc.toString();
}

/** What the run is, for the UI's run list: `ser_frozen seed=3`, `ae`, `eval[encoder=x] seed=1`. */
export function runNameOf(node: GraphNode): string {
  const axes = Object.entries(node.variant);
  if (axes.length === 0) return node.stageId;
  const text = (v: Json) => (typeof v === 'string' ? v : JSON.stringify(v));
  return `${node.stageId} ${axes.map(([axis, value]) => `${axis}=${text(value)}`).join(' ')}`;
}

function toEntries(params: Record<string, string>) {
  return Object.entries(params).map(([key, value]) => ({ key, value }));
}

function runStatus(status: StageStatus | 'succeeded' | 'failed' | 'interrupted'): RunStatus {
  if (status === 'failed') return 'FAILED';
  if (status === 'interrupted' || status === 'skipped') return 'KILLED';
  return 'FINISHED';
}

/** MLflow keys allow letters, digits, `_ - . / ` and space: `ser[seed=1]` → `ser_seed=1_` style is avoided by mapping. */
export function sanitize(key: string): string {
  return key
    .replace(/\[/g, '.')
    .replace(/\]/g, '')
    .replace(/=/g, '-')
    .replace(/,/g, '.')
    .replace(/[^\w.\- /]/g, '_');
}

/** Path of an output file relative to its cache entry (`<output>/<file>`), or its base name. */
function artifactPathOf(path: string): string {
  const parts = path.split(sep);
  const at = parts.lastIndexOf('entries');
  return at >= 0 && parts.length > at + 3 ? parts.slice(at + 3).join('/') : basename(path);
}
