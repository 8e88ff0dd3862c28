import type { StageDefinition, StageResult } from '../contract.ts';
import { SerxError } from '../errors.ts';
import type { Graph, GraphNode } from '../graph/types.ts';
import type { ContextChannels, ContextData } from './context.ts';
import type { StageRecord } from './record.ts';
import { runStageUnit } from './shards/unit.ts';

/** One stage execution handed to an executor. */
export interface StageTask {
  node: GraphNode;
  /** Cache key of the execution. */
  key: string;
  /** Plain data of the context (serialisable: ids, params, paths, artifacts). */
  data: ContextData;
  /** Log / progress / metrics callbacks; an out-of-process executor relays messages to them. */
  channels: ContextChannels;
  signal: AbortSignal;
  /** A private temp directory for this execution, removed after it (executors point TMPDIR at it). */
  scratchDir?: string;
}

/**
 * An executor is one of two kinds, and the runner decides everything else (cache hit, read-only
 * cache, `--reuse-across-code-change`, who locks the key) before it hands a node to either:
 *
 * - a {@link StageExecutor} runs a stage's `run(ctx)` somewhere (this thread, a worker thread, a
 *   child process) while the runner holds the key's lock, stages and publishes;
 * - a {@link NodeExecutor} computes a whole node elsewhere (a cluster job per node, through a
 *   {@link BatchScheduler}): the remote side locks, computes and publishes; the runner then reads
 *   the published entry.
 *
 * Executors are chosen by kind through `executors/registry.ts`.
 */
export type Executor = StageExecutor | NodeExecutor;

interface ExecutorBase {
  readonly name: string;
  /** Releases threads/processes; called once when the run ends. */
  close?(): Promise<void>;
  /** Stops every running stage or job now, without waiting for it (a second Ctrl-C). */
  kill?(): void;
}

/** Runs a stage's `run(ctx)`: make the stage write into `data.outputs` and report back. */
export interface StageExecutor extends ExecutorBase {
  execute(task: StageTask): Promise<StageResult | undefined>;
}

/**
 * Computes whole nodes elsewhere (a cluster job per node): the remote side takes the key's lock,
 * runs the stage and publishes the entry; the promise settles once it has.
 */
export interface NodeExecutor extends ExecutorBase {
  computeNode(task: NodeTask): Promise<NodeJob>;
  /**
   * Called once, before any node starts, with the run's graph and selected nodes (dependencies
   * first). An executor that computes several nodes in one job (a job group) returns, per such
   * node, the nodes outside it that its job reads from: the runner starts the node only once all
   * of them are published.
   */
  prepare?(graph: Graph, selected: readonly string[]): ReadonlyMap<string, readonly string[]>;
  /** The runner starts on a node (its inputs are published); it may reach `computeNode` soon. */
  starting?(nodeId: string): void;
  /** A node is settled (a hit, computed, failed, skipped): its record, with its key when known. */
  settled?(nodeId: string, record: StageRecord): void;
  /**
   * A job of this run is computing the node already (with others of its group): the runner skips
   * its cache lookup and calls `computeNode`, whose job reports the node's outcome.
   */
  claims?(nodeId: string): boolean;
}

export function isNodeExecutor(executor: Executor): executor is NodeExecutor {
  return typeof (executor as Partial<NodeExecutor>).computeNode === 'function';
}

/** One node for a {@link NodeExecutor}. */
export interface NodeTask {
  node: GraphNode;
  key: string;
  runId: string;
  /** The remote side's log lines, progress and metrics are relayed here. */
  channels: ContextChannels;
  /** Aborting cancels the remote computation; the promise settles once it has stopped. */
  signal: AbortSignal;
  /** The node's context as a stage would see it (inputs resolved; no outputs): for sharding. */
  data?: ContextData;
}

/** How a {@link NodeExecutor}'s job computed a node. */
export interface NodeJob {
  /** Scheduler job id, e.g. the Slurm job id. */
  jobId: string;
  /** Host(s) the job ran on. */
  nodes?: string;
  /** The job was submitted by an earlier, interrupted run and this run waited for it. */
  adopted: boolean;
  /** The job found the entry already published (by a concurrent run) and computed nothing. */
  cached: boolean;
  /** The job group the node was computed in, for a job of several nodes. */
  group?: string;
  /** Why the node was cached, when not computed meanwhile by another run. */
  detail?: string;
}

export async function runDefinition(
  definition: StageDefinition,
  task: StageTask,
): Promise<StageResult | undefined> {
  return runStageUnit(definition, task.data, task.channels, task.signal);
}

/**
 * Runs stages in the runner's own thread. Nothing contains a stage here: prefer ProcessExecutor
 * unless debugging. `kill` can only stop waiting for a stage, not stop it.
 */
export class InProcessExecutor implements StageExecutor {
  readonly name = 'in-process';
  private readonly waiting = new Set<(reason: Error) => void>();

  execute(task: StageTask): Promise<StageResult | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.add(reject);
      runDefinition(task.node.definition, task)
        .then(resolve, reject)
        .finally(() => this.waiting.delete(reject));
    });
  }

  kill(): void {
    for (const abandon of this.waiting)
      abandon(new SerxError('INTERRUPTED', 'the runner stopped waiting for this stage'));
  }
}
