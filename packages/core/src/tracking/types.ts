/**
 * Tracking events the runner emits while it runs a spec. The local run record and the MLflow
 * tracker both consume them; the runner never talks to MLflow directly.
 */
import type { Json } from '../contract.ts';
import type { GraphNode, ResolvedSpec } from '../graph/types.ts';

export interface RunInfo {
  /** Local run id (also the run record's file name). */
  runId: string;
  spec: ResolvedSpec;
  /** `git rev-parse HEAD` of the working tree, when available. */
  gitCommit: string | undefined;
  startedAt: number;
}

export interface StageStartInfo {
  node: GraphNode;
  /** Cache key of the node. */
  key: string;
  cacheHit: boolean;
}

export type StageStatus = 'succeeded' | 'cached' | 'failed' | 'skipped' | 'interrupted';

export interface Tracker {
  runStarted(run: RunInfo): void;
  /** Called for every node that is executed or reused from cache (not for skipped nodes). */
  stageStarted(stage: StageStartInfo): void;
  metric(nodeId: string, name: string, value: number, step: number | undefined, timestamp: number): void;
  tag(nodeId: string, name: string, value: string): void;
  /** An absolute path of a file in a published (or about to be published) output. */
  artifact(nodeId: string, path: string): void;
  stageFinished(
    nodeId: string,
    status: StageStatus,
    summary: { metrics?: { [name: string]: number }; error?: string; durationMs: number },
  ): void;
  runFinished(status: 'succeeded' | 'failed' | 'interrupted', summary: { [key: string]: Json }): void;
  /** Flush pending events (journal to disk / network); called before the process exits. */
  close(): Promise<void>;
}
