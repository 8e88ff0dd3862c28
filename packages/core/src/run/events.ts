import type { RunSummary } from './summary.ts';

/** Display state of a node while a run progresses. */
export type NodeState =
  | 'pending'
  | 'waiting'
  | 'running'
  | 'cached'
  | 'succeeded'
  | 'failed'
  | 'skipped'
  | 'interrupted';

/** What the runner reports to displays (TTY list, line log, JSON lines). */
export type RunEvent =
  | { type: 'run-start'; runId: string; spec: string; nodes: { id: string; stage: string }[] }
  | { type: 'state'; id: string; state: NodeState; key?: string; detail?: string; durationMs?: number }
  | { type: 'progress'; id: string; done: number; total: number; label?: string }
  | { type: 'log'; id: string; level: 'debug' | 'info' | 'warn'; message: string }
  | { type: 'warning'; id?: string; message: string }
  | { type: 'run-end'; summary: RunSummary };

export type EmitEvent = (event: RunEvent) => void;
