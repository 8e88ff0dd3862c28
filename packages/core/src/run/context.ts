import type { Artifact, Json, Logger, MetricsSink, ProgressReporter, StageContext } from '../contract.ts';
import type { Tracker } from '../tracking/types.ts';
import type { EmitEvent } from './events.ts';
import type { ShardUnit } from './shards/unit.ts';

/** The plain-data part of a StageContext: what an executor ships to another thread or host. */
export interface ContextData {
  id: string;
  params: { [key: string]: Json };
  inputs: { [name: string]: Artifact | readonly Artifact[] | undefined };
  outputs: { [name: string]: string };
  workDir: string;
  seed: number;
  threads: number;
  heldOut: readonly string[];
  /** For a sharded node: the unit this execution computes (one shard, or the merge); absent otherwise. */
  unit?: ShardUnit;
}

/** The callbacks of a StageContext, implemented by the runner. */
export interface ContextChannels {
  log: Logger;
  progress: ProgressReporter;
  metrics: MetricsSink;
}

export function contextChannels(
  id: string,
  emit: EmitEvent,
  tracker: Tracker,
  artifacts: string[],
): ContextChannels {
  let done = 0;
  let total = 0;
  let label: string | undefined;
  const report = () => emit({ type: 'progress', id, done, total, ...(label === undefined ? {} : { label }) });
  return {
    log: {
      debug: (message) => emit({ type: 'log', id, level: 'debug', message }),
      info: (message) => emit({ type: 'log', id, level: 'info', message }),
      warn: (message) => emit({ type: 'log', id, level: 'warn', message }),
    },
    progress: {
      total(units, newLabel) {
        total = units;
        done = 0;
        label = newLabel;
        report();
      },
      tick(units = 1) {
        done += units;
        report();
      },
    },
    metrics: {
      metric: (name, value, step) => tracker.metric(id, name, value, step, Date.now()),
      tag: (name, value) => tracker.tag(id, name, value),
      // Forwarded after publish, once the file has its final path.
      artifact: (path) => void artifacts.push(path),
    },
  };
}

export function buildContext(
  data: ContextData,
  channels: ContextChannels,
  signal: AbortSignal,
): StageContext {
  return Object.freeze({ ...data, ...channels, signal });
}
