import { availableParallelism, hostname } from 'node:os';
import { type Cache, openCache } from '../cache/cache.ts';
import { codeFingerprinter } from '../cache/code/code-fingerprint.ts';
import { faultPoint } from '../cache/fault.ts';
import type { Json } from '../contract.ts';
import type { SerxError } from '../errors.ts';
import type { Graph, GraphNode } from '../graph/types.ts';
import { threadBudget } from '../threads.ts';
import type { Tracker } from '../tracking/types.ts';
import type { EmitEvent, RunEvent } from './events.ts';
import { executeNode, type NodeEnv, type NodeOutcome } from './execute-node.ts';
import { type Executor, isNodeExecutor } from './executor.ts';
import { createExecutor, DEFAULT_EXECUTOR } from './executors/registry.ts';
import { gitCommit } from './git-commit.ts';
import { heavyPathLengths } from './heavy-path.ts';
import { upstreamIds } from './node-key.ts';
import { newRunId, type RunRecord, type StageRecord } from './record.ts';
import { recordWriter } from './record-writer.ts';
import { type Selection, selectNodes } from './select.ts';
import { createSlots, heavyStagesAtOnce } from './slots.ts';
import { interrupted, stageFailed } from './stage-errors.ts';
import type { RunSummary } from './summary.ts';
import { fanOutTrackers } from './trackers.ts';

export interface RunOptions extends Selection {
  /** A cache, or its directory. */
  cache: Cache | string;
  /** Stages computed at once; default: the number of cores. */
  jobs?: number;
  /** Thread budget of a `cpu-heavy` stage; default: $SERX_THREADS, else the number of cores. Other stages get 1. */
  threads?: number;
  /** `fail` (default) stops at the first failure; `keep-going` runs all that does not depend on it. */
  onError?: 'fail' | 'keep-going';
  /** Ctrl-C: aborts running stages, skips the rest; the summary's status is `interrupted`. */
  signal?: AbortSignal;
  /** Default: the registry's default kind (`process`), as for `serx run`. */
  executor?: Executor;
  trackers?: readonly Tracker[];
  /** Progress and log events for a display. */
  onEvent?: (event: RunEvent) => void;
  /** Re-hash every file of every cache hit (slow; finds silent corruption). */
  verify?: boolean;
  /**
   * Stage ids (or node ids) whose code change the user declares harmless: on a miss, such a node
   * reuses the newest entry that differs only by code instead of running, and records that it did.
   */
  reuseAcrossCodeChange?: readonly string[];
  runId?: string;
  /** Called as each node settles (hit, computed, failed, skipped), with its outcome. */
  onSettled?: (id: string, outcome: NodeOutcome) => void;
}

function countsOf(stages: { [id: string]: StageRecord }): RunSummary['counts'] {
  const counts = { cached: 0, succeeded: 0, failed: 0, skipped: 0, interrupted: 0 };
  for (const s of Object.values(stages)) if (s.status !== 'running') counts[s.status]++;
  return counts;
}

/**
 * Runs a resolved graph: every selected node is looked up in the cache by its key and computed
 * only on a miss, upstream first, concurrently up to `jobs`. Resolves with a summary (never
 * rejects because a stage failed) after writing the run record `<cache>/runs/<runId>.json`.
 */
export async function runGraph(graph: Graph, options: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const cache = typeof options.cache === 'string' ? await openCache(options.cache) : options.cache;
  const ids = selectNodes(graph, options);
  const cores = availableParallelism();
  const threads = threadBudget(options.threads);
  const heavyPaths = heavyPathLengths(graph);
  const keepGoing = options.onError === 'keep-going';
  const executor: Executor =
    options.executor ?? (await createExecutor({ settings: { kind: DEFAULT_EXECUTOR, from: 'default' } }));
  // a node executor may compute several nodes in one job: such a node also waits for what its job reads
  const jobs = isNodeExecutor(executor) ? executor : undefined;
  const alsoWaitsFor = jobs?.prepare?.(graph, ids) ?? new Map<string, readonly string[]>();
  const emit: EmitEvent = options.onEvent ?? (() => {});
  const tracker = fanOutTrackers(options.trackers ?? [], (message) => emit({ type: 'warning', message }));
  const runId = options.runId ?? newRunId(new Date(started));
  const reuse = new Set(options.reuseAcrossCodeChange ?? []);
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;

  const record: RunRecord = {
    format: 1,
    runId,
    status: 'running',
    spec: {
      name: graph.spec.name,
      file: graph.spec.file,
      files: graph.spec.files,
      document: graph.spec.document,
      ...(graph.spec.overrides ? { overrides: graph.spec.overrides } : {}),
    },
    startedAt: new Date(started).toISOString(),
    gitCommit: gitCommit(graph.spec.file),
    host: { hostname: hostname(), pid: process.pid, node: process.version },
    options: {
      jobs: options.jobs ?? cores,
      threads,
      onError: keepGoing ? 'keep-going' : 'fail',
      only: [...(options.only ?? [])],
      from: [...(options.from ?? [])],
      executor: executor.name,
      verify: options.verify ?? false,
      ...(reuse.size > 0 ? { reuseAcrossCodeChange: [...reuse] } : {}),
    } as { [key: string]: Json },
    counts: {},
    stages: {},
  };
  const writer = recordWriter(cache, record, (message) => emit({ type: 'warning', message }));
  if (cache.readOnly)
    emit({
      type: 'warning',
      message: `cache ${cache.dir} is read-only (${cache.readOnly}): cached results are served; no run record or pin is written, and a stage that must be computed fails`,
    });
  void writer.save();

  tracker.runStarted({ runId, spec: graph.spec, gitCommit: record.gitCommit, startedAt: started });
  emit({
    type: 'run-start',
    runId,
    spec: graph.spec.name,
    nodes: ids.map((id) => ({ id, stage: (graph.nodes.get(id) as GraphNode).definition.name })),
  });

  const env: NodeEnv = {
    cache,
    executor,
    tracker,
    emit,
    runId,
    heldOut: graph.spec.heldOut,
    verify: options.verify ?? false,
    threads: (node) => (node.definition.resources?.class === 'cpu-heavy' ? threads : 1),
    slot: createSlots(
      options.jobs ?? cores,
      heavyStagesAtOnce(cores, threads),
      (node) => heavyPaths.get(node.id) ?? 0,
    ),
    signal,
    started(stage) {
      record.stages[stage.id] = { ...stage, status: 'running' };
      writer.saveSoon();
    },
    code: codeFingerprinter(cache.dir),
    reusesAcrossCodeChange: (node) => reuse.has(node.stageId) || reuse.has(node.id),
  };

  const outcomes = new Map<string, NodeOutcome>();
  const errors: SerxError[] = [];
  let firstFailure: string | undefined;
  const promises = new Map<string, Promise<NodeOutcome>>();
  const skip = (node: GraphNode, why: string): NodeOutcome => {
    emit({ type: 'state', id: node.id, state: 'skipped', detail: why });
    return {
      record: {
        id: node.id,
        stageId: node.stageId,
        stage: node.definition.name,
        status: 'skipped',
        skipped: why,
      },
    };
  };

  // each node's outcome, as a promise that exists before any node starts: a node of a job group
  // also waits for nodes after it in the order (what its group reads from outside)
  const outcomeOf = new Map<
    string,
    { promise: Promise<NodeOutcome>; settle(p: Promise<NodeOutcome>): void }
  >();
  for (const id of ids) {
    let settle!: (p: Promise<NodeOutcome>) => void;
    const promise = new Promise<NodeOutcome>((resolve) => {
      settle = resolve;
    });
    promise.catch(() => {}); // a runner crash is reported once, from `promises` below
    outcomeOf.set(id, { promise, settle });
  }
  for (const id of ids) {
    const node = graph.nodes.get(id) as GraphNode;
    const direct = upstreamIds(node);
    const ups = [...direct, ...(alsoWaitsFor.get(id) ?? []).filter((up) => !direct.includes(up))];
    promises.set(
      id,
      (async () => {
        const deps = await Promise.all(ups.map((up) => outcomeOf.get(up)?.promise as Promise<NodeOutcome>));
        const blocked = ups.find((_, i) => !deps[i]?.artifacts);
        let outcome: NodeOutcome;
        if (blocked !== undefined) {
          const up = deps[ups.indexOf(blocked)]?.record;
          const what = direct.includes(blocked) ? 'upstream' : "its job group's input";
          // a skipped upstream passes on its own reason, so every skip names the root cause
          outcome = skip(
            node,
            up?.status === 'skipped' && up.skipped
              ? up.skipped
              : `${what} '${blocked}' ${up?.status === 'failed' ? 'failed' : 'was interrupted'}`,
          );
        } else if (signal.aborted) {
          outcome = skip(
            node,
            options.signal?.aborted ? 'interrupted' : `run stopped after '${firstFailure}' failed`,
          );
        } else {
          jobs?.starting?.(id);
          outcome = await executeNode(node, outcomes, env).catch((error: unknown): NodeOutcome => {
            if (signal.aborted)
              return skip(
                node,
                options.signal?.aborted ? 'interrupted' : `run stopped after '${firstFailure}' failed`,
              );
            // the cache itself failed (permissions, disk full...): a failure of this node, not a crash
            const wrapped = stageFailed(node, error);
            emit({ type: 'state', id: node.id, state: 'failed', detail: wrapped.message });
            const base = { id: node.id, stageId: node.stageId, stage: node.definition.name };
            return {
              record: { ...base, status: 'failed', error: { code: wrapped.code, message: wrapped.message } },
              error: wrapped,
            };
          });
        }
        outcomes.set(id, outcome);
        jobs?.settled?.(id, outcome.record);
        options.onSettled?.(id, outcome);
        if (outcome.error) {
          errors.push(outcome.error);
          firstFailure ??= id;
          if (!keepGoing) stop.abort(interrupted(`run stopped after '${id}' failed`));
        }
        record.stages[id] = outcome.record;
        // on disk soon: gc keeps what a live run's record names (a hit it is about to read)
        writer.saveSoon();
        return outcome;
      })(),
    );
    outcomeOf.get(id)?.settle(promises.get(id) as Promise<NodeOutcome>);
  }
  const settled = await Promise.allSettled(promises.values());
  await executor.close?.();
  await env.code.save();
  const crash = settled.find((s) => s.status === 'rejected');

  const stages: { [id: string]: StageRecord } = {};
  for (const id of ids)
    stages[id] =
      outcomes.get(id)?.record ??
      record.stages[id] ??
      skip(graph.nodes.get(id) as GraphNode, 'runner error').record;
  const counts = countsOf(stages);
  const status: RunSummary['status'] = options.signal?.aborted
    ? 'interrupted'
    : errors.length > 0 || crash
      ? 'failed'
      : 'succeeded';
  Object.assign(record, {
    status,
    stages,
    counts,
    finishedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
  });
  await writer.settle();
  faultPoint('run-end');
  const recordPath = (await writer.save()) ?? '';
  tracker.runFinished(status, { runId, counts, durationMs: record.durationMs as number });
  await tracker.close();
  if (crash) throw (crash as PromiseRejectedResult).reason;
  const summary: RunSummary = {
    runId,
    status,
    recordPath,
    durationMs: Date.now() - started,
    stages,
    counts,
    errors,
  };
  emit({ type: 'run-end', summary });
  return summary;
}
