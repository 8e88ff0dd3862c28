import type { StageDefinition, StageResult } from '../contract.ts';
import type { GraphNode } from '../graph/types.ts';
import { buildContext, type ContextChannels, type ContextData } from './context.ts';

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
}

/**
 * Runs a stage's `run(ctx)` somewhere: in this thread, in a worker thread, or (later) as a cluster
 * job sharing the cache directory. Keys, locks, staging and publishing stay in the runner; an
 * executor only has to make the stage write into `data.outputs` and report back.
 */
export interface Executor {
  readonly name: string;
  execute(task: StageTask): Promise<StageResult | undefined>;
  /** Releases threads/processes; called once when the run ends. */
  close?(): Promise<void>;
}

export async function runDefinition(
  definition: StageDefinition,
  task: StageTask,
): Promise<StageResult | undefined> {
  return (await definition.run(buildContext(task.data, task.channels, task.signal))) ?? undefined;
}

/** Runs stages in the runner's own thread. */
export class InProcessExecutor implements Executor {
  readonly name = 'in-process';

  execute(task: StageTask): Promise<StageResult | undefined> {
    return runDefinition(task.node.definition, task);
  }
}
