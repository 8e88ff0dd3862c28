/**
 * `history.json`, the one training-history layout of every model artifact (`autoencoder:pretrain`'s
 * encoder, `ser:train` and `ser:finetune` models). Pure function of the inputs and the seed: no
 * timings, dates or host names (epoch times go to the metrics sink and the log).
 *
 * @example
 * ```json
 * { "format": "serx-history/1", "monitor": { "key": "val_ua_corpus_mean", "mode": "max" },
 *   "bestEpoch": 7, "stoppedEarly": true,
 *   "epochs": [{ "epoch": 1, "lr": 0.001, "loss": 1.05, "val_loss": 1.01, "val_ua": 0.41 }] }
 * ```
 */
export interface History {
  format: typeof HISTORY_FORMAT;
  /** The record key model selection follows and whether it maximised or minimised it. */
  monitor: Monitor;
  /** Epoch (1-based) whose weights the artifact holds. */
  bestEpoch: number;
  /** Early stopping ended training before `epochs`. */
  stoppedEarly: boolean;
  /** Validation scores of the starting weights, for a run that continues a trained model. */
  start?: EpochValues;
  epochs: EpochRecord[];
}

/** E.g. `{ key: 'val_ua_corpus_mean', mode: 'max' }` (ser), `{ key: 'val_loss', mode: 'min' }` (autoencoder). */
export interface Monitor {
  key: string;
  mode: 'max' | 'min';
}

/** Numeric series (snake_case, e.g. `loss`, `val_ua`) and per-group breakdowns (e.g. `val_ua_by_corpus`). */
export type EpochValues = { [key: string]: number | { [group: string]: number } };

/** One epoch: its number, the learning rate it trained with, and the task's series. */
export type EpochRecord = { epoch: number; lr: number } & EpochValues;

export const HISTORY_FORMAT = 'serx-history/1';
export const HISTORY_FILE = 'history.json';

/** The file text: two-space JSON with a final newline. */
export function historyJson(history: History): string {
  return `${JSON.stringify(history, null, 2)}\n`;
}

/** The numeric series of a record (everything but `epoch`), e.g. for per-epoch tracking metrics. */
export function numericSeries(record: EpochRecord): [string, number][] {
  return Object.entries(record).filter(
    (entry): entry is [string, number] => entry[0] !== 'epoch' && typeof entry[1] === 'number',
  );
}
