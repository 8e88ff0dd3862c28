/**
 * The tracking journal: every tracking event of a run is appended here first (synchronously, so a
 * crash or an MLflow outage loses nothing), then replayed to MLflow in order. The state file
 * records how far the replay got and which MLflow runs belong to which local run, which makes a
 * replay (`serx sync`) idempotent.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { MlflowDatasetInput, MlflowMetric, MlflowParam, MlflowTag, RunStatus } from './mlflow-client.ts';

/** One journal operation. `target` is `parent` or a node id of the spec. */
export type JournalOp =
  | {
      op: 'run';
      target: string;
      parent?: string;
      experiment: string;
      runName: string;
      startTime: number;
      tags: MlflowTag[];
    }
  | { op: 'log'; target: string; metrics?: MlflowMetric[]; params?: MlflowParam[]; tags?: MlflowTag[] }
  /** Tag the target with the MLflow run that produced cache entry `key` (a cache hit's provenance). */
  | { op: 'source'; target: string; key: string }
  | { op: 'artifact'; target: string; path: string; artifactPath: string }
  | { op: 'inputs'; target: string; datasets: MlflowDatasetInput[] }
  | { op: 'end'; target: string; status: RunStatus; endTime: number };

export type JournalEntry = JournalOp & { seq: number };

export interface JournalState {
  /** Highest seq applied to MLflow. */
  applied: number;
  experimentId?: string;
  /** target → MLflow run id and artifact root. */
  runs: { [target: string]: { runId: string; artifactUri: string } };
}

export class Journal {
  readonly file: string;
  readonly stateFile: string;
  private seq: number;

  constructor(
    readonly dir: string,
    readonly localRunId: string,
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${localRunId}.jsonl`);
    this.stateFile = join(dir, `${localRunId}.state.json`);
    this.seq = existsSync(this.file) ? readJournal(this.file).length : 0;
  }

  append(op: JournalOp): JournalEntry {
    const entry = { ...op, seq: ++this.seq } as JournalEntry;
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
    return entry;
  }

  entries(): JournalEntry[] {
    return existsSync(this.file) ? readJournal(this.file) : [];
  }

  readState(): JournalState {
    if (!existsSync(this.stateFile)) return { applied: 0, runs: {} };
    return JSON.parse(readFileSync(this.stateFile, 'utf8')) as JournalState;
  }

  writeState(state: JournalState): void {
    const tmp = `${this.stateFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(state));
    renameSync(tmp, this.stateFile);
  }

  /** Number of journal entries not yet applied to MLflow. */
  pending(): number {
    return this.seq - this.readState().applied;
  }
}

/** Reads a journal, ignoring a torn last line (the process died mid-append). */
function readJournal(file: string): JournalEntry[] {
  const entries: JournalEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      break;
    }
  }
  return entries;
}

/** Local run ids of every journal in `dir`. */
export function listJournals(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .map((name) => name.slice(0, -'.jsonl'.length))
    .sort();
}
