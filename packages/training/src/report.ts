import type { Logger, MetricsSink } from '@serx/core';
import { type EpochRecord, numericSeries } from './history.ts';

export interface EpochReport {
  /** The record's numeric series are tracked as metrics at step `epoch`, plus `epoch_seconds`. */
  metrics: MetricsSink;
  log: Logger;
  /** Series of the record not tracked as metrics (e.g. a count that is not a measurement). */
  untracked?: readonly string[];
  /** The log line's text after `epoch N/M: ` (the duration is appended). */
  summary: string;
  /** Epochs the run was set to (for `epoch N/M`). */
  epochs: number;
}

/**
 * The per-epoch report of every model stage: each numeric series of `record` as a metric at step
 * `epoch`, the epoch's wall-clock seconds as `epoch_seconds`, and one log line
 * `epoch 3/30: <summary> (2m05s)`. Called from `fit`'s `onEpoch`.
 */
export function reportEpoch(record: EpochRecord, seconds: number, report: EpochReport): void {
  const untracked = new Set(report.untracked ?? []);
  for (const [name, value] of numericSeries(record))
    if (!untracked.has(name)) report.metrics.metric(name, value, record.epoch);
  report.metrics.metric('epoch_seconds', seconds, record.epoch);
  report.log.info(`epoch ${record.epoch}/${report.epochs}: ${report.summary} (${formatSeconds(seconds)})`);
}

/** A duration in seconds as `45s`, `2m05s`: rounded to whole seconds before splitting (never `1m60s`). */
export function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
