import { randomBytes } from 'node:crypto';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { Cache } from '../cache/cache.ts';
import type { CacheKeyInput } from '../cache/key.ts';
import type { Json } from '../contract.ts';
import type { AppliedOverride } from '../spec/overrides.ts';
import type { StageStatus } from '../tracking/types.ts';

/** What happened to one node in a run. */
export interface StageRecord {
  id: string;
  stageId: string;
  stage: string;
  status: StageStatus | 'running';
  /** Absent when the node never got as far as computing its key (skipped, or upstream failed). */
  key?: string;
  /** Exactly what was hashed into `key` (the resolved params are here). */
  keyInput?: CacheKeyInput;
  /** Content hash per output. */
  outputs?: { [name: string]: string };
  /** Reused an entry another concurrent run published while we waited for the key's lock. */
  waited?: boolean;
  /** Did not run although its code changed: reused entry `from` (`--reuse-across-code-change`). */
  reusedAcrossCodeChange?: { from: string; changes: string[] };
  startedAt?: string;
  durationMs?: number;
  metrics?: { [name: string]: number };
  error?: { code: string; message: string; cause?: string };
  /** Why the node did not run (`--keep-going` after an upstream failure, selection, interruption). */
  skipped?: string;
  /** The cluster job that computed the node (`--executor slurm`): job id and node name(s). */
  job?: { executor: string; id: string; nodes?: string; adopted?: boolean; group?: string };
}

/** `<cacheDir>/runs/<runId>.json`, written when a run starts and rewritten when it ends. */
export interface RunRecord {
  format: 1;
  runId: string;
  status: 'running' | 'succeeded' | 'failed' | 'interrupted';
  spec: {
    name: string;
    file: string;
    files: string[];
    /** Merged and interpolated, overrides applied. */
    document: { [key: string]: Json };
    /** Command-line overrides (`--set`, `--matrix`) applied over the files, in order; absent when none. */
    overrides?: AppliedOverride[];
  };
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  gitCommit: string | undefined;
  host: { hostname: string; pid: number; node: string };
  options: { [key: string]: Json };
  counts: { [status: string]: number };
  stages: { [id: string]: StageRecord };
}

/** `20261124T054643123Z-3f9a1c`: sorts chronologically. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
}

export async function writeRunRecord(cache: Cache, record: RunRecord): Promise<string> {
  const path = cache.path('runs', `${record.runId}.json`);
  const draft = `${path}.${process.pid}.tmp`;
  await writeFile(draft, `${JSON.stringify(record, null, 1)}\n`);
  await rename(draft, path);
  return path;
}

/** Run record file names, oldest first. */
export async function listRunRecords(cache: Cache): Promise<string[]> {
  const names = await readdir(cache.path('runs')).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith('.json')).sort();
}

/** Whether `value` has the shape of a run record (what its readers rely on). */
export function isRunRecord(value: unknown): value is RunRecord {
  const r = value as RunRecord | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.status === 'string' &&
    typeof r.spec === 'object' &&
    r.spec !== null &&
    typeof r.spec.name === 'string' &&
    typeof r.stages === 'object' &&
    r.stages !== null
  );
}

export async function readRunRecord(cache: Cache, name: string): Promise<RunRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(cache.path('runs', name), 'utf8')) as unknown;
    return isRunRecord(record) ? record : undefined;
  } catch {
    return undefined; // a damaged record: ignore it (gc refuses instead; see gc.ts)
  }
}

/** Newest first, optionally only records of the spec named `specName`. */
export async function* runRecordsNewestFirst(cache: Cache, specName?: string): AsyncGenerator<RunRecord> {
  const names = await listRunRecords(cache);
  for (let i = names.length - 1; i >= 0; i--) {
    const record = await readRunRecord(cache, names[i] as string);
    if (record && (specName === undefined || record.spec.name === specName)) yield record;
  }
}

/** For every node id, its record from the newest run of `specName` in which it got a key. */
export async function loadStageHistory(cache: Cache, specName: string): Promise<Map<string, StageRecord>> {
  const history = new Map<string, StageRecord>();
  for await (const record of runRecordsNewestFirst(cache, specName)) {
    for (const [id, stage] of Object.entries(record.stages)) {
      if (stage.keyInput && !history.has(id)) history.set(id, stage);
    }
  }
  return history;
}
