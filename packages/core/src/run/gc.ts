import { readFileSync } from 'node:fs';
import { readdir, readFile, rm, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Cache } from '../cache/cache.ts';
import { lockStale, processStartTime, readLock, UNREADABLE_LOCK_GRACE_MS } from '../cache/lock.ts';
// a lock held in a scheduler's job on another host is judged by that scheduler (registered there)
import './executors/registry.ts';
import type { EntryManifest } from '../cache/manifest.ts';
import { unreadable } from '../cache/unreadable.ts';
import { quoteBytes, SerxError } from '../errors.ts';
import { isRunRecord, type RunRecord } from './record.ts';

export interface GcOptions {
  /** Run records kept per spec name (newest first); older records are deleted. Default 5. */
  keepRuns?: number;
  /** Report what would be removed without removing anything. */
  dryRun?: boolean;
}

export interface GcReport {
  keptRecords: number;
  removedRecords: string[];
  keptEntries: number;
  pinnedEntries: number;
  removedEntries: string[];
  /** Bytes of output files in the removed entries. */
  freedBytes: number;
  removedWorkDirs: string[];
  removedTemp: string[];
  /** Lock files left by killed processes, and lock files that are not serx locks (after a grace period). */
  removedLocks: string[];
  /** Records of runs still going: kept whatever `keepRuns` says, with every entry they may use. */
  liveRuns: string[];
  /** What gc left alone and why (a lock file that is not a serx lock, still in its grace period...). */
  notes: string[];
}

// tmp names are `<key>.<pid>.<rand>` (staging) or `trash.<pid>.<rand>` (entries being removed)
const pidOf = (name: string) => Number(name.split('.')[1]);

/** Output bytes and producing run of an entry (unknown when its manifest cannot be read). */
async function entryFacts(cache: Cache, key: string): Promise<{ bytes: number; runId: string | undefined }> {
  try {
    const manifest = JSON.parse(
      await readFile(`${cache.entryPath(key)}/manifest.json`, 'utf8'),
    ) as EntryManifest;
    const bytes = Object.values(manifest.outputs ?? {}).reduce((sum, o) => sum + (o?.size ?? 0), 0);
    return { bytes, runId: manifest.createdBy?.runId };
  } catch {
    return { bytes: 0, runId: undefined };
  }
}

/**
 * A key's lock still protects it: a live owner, a lock file that is not a serx lock still in its
 * grace period, or one gc cannot read (it cannot prove the key free).
 */
async function lockHeld(cache: Cache, key: string): Promise<boolean> {
  const lock = await readLock(cache.path('locks', `${key}.lock`)).catch(() => 'unreadable' as const);
  return lock === 'unreadable' || (lock !== undefined && !(await lockStale(lock)));
}

/** The names in `dir` ([] when it does not exist); a folder gc cannot list stops it. */
async function listStrict(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    const cause = unreadable(dir, error as NodeJS.ErrnoException);
    throw new SerxError(
      'ENVIRONMENT',
      `${cause.message}. gc removes nothing while it cannot see every run record and pin`,
      {
        cause: error,
      },
    );
  }
}

const processAlive = (pid: number) => {
  // a tmp name without a pid (`stray.txt`) was not made by the cache: nobody is using it
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
};

/** Wall-clock start of a process (ms), from /proc: undefined when it cannot be told. */
function processStartedAt(pid: number): number | undefined {
  try {
    const jiffies = Number(processStartTime(pid));
    const boot = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    if (!Number.isFinite(jiffies) || !Number.isFinite(boot)) return undefined;
    return boot * 1000 + jiffies * 10; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/**
 * Whether a record in state `running` belongs to a run still going. False only when that can be
 * proved: on this host, its pid is gone (or now belongs to a process started after the run).
 * A run on another host counts as live (its record says `running` until it ends).
 */
function runAlive(record: RunRecord): boolean {
  const host = record.host;
  if (!host || host.hostname !== hostname() || !Number.isInteger(host.pid)) return true;
  if (!processAlive(host.pid)) return false;
  const started = processStartedAt(host.pid);
  const recorded = Date.parse(record.startedAt);
  // the pid was reused by a process started well after the run began
  return started === undefined || Number.isNaN(recorded) || started <= recorded + 5_000;
}

/**
 * A run record, or a refusal: gc decides what to delete from the records, so one it cannot read
 * or understand stops it (treating it as "references nothing" would delete what that run needs).
 */
async function readRecordForGc(cache: Cache, name: string): Promise<RunRecord | undefined> {
  const path = cache.path('runs', name);
  const advice =
    'gc cannot tell which cache entries that run references, so it removes nothing; if that run and its results may go, delete the file, then run gc again';
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // removed meanwhile
    const cause = unreadable(path, error as NodeJS.ErrnoException);
    throw new SerxError('ENVIRONMENT', `${cause.message}. ${advice}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SerxError(
      'CACHE_CORRUPT',
      `run record ${path} is damaged (${text.length === 0 ? 'empty' : `not JSON: ${(error as Error).message}; starts ${quoteBytes(text)}`}); ${advice}`,
      { cause: error },
    );
  }
  if (!isRunRecord(parsed))
    throw new SerxError(
      'CACHE_CORRUPT',
      `run record ${path} is not a run record (it lacks status, spec.name or stages: ${quoteBytes(text)}); ${advice}`,
    );
  return parsed;
}

/**
 * Removes cache entries that no kept run record references and that are not pinned, old run
 * records, checkpoint dirs of unreferenced keys, and temp dirs of dead processes. Never touched:
 * keys being computed (live lock), and everything a live run may use (its record in state
 * `running`, the entries it published, the entries earlier runs of its spec made). A run record
 * gc cannot read makes it refuse before removing anything.
 */
export async function gc(cache: Cache, options: GcOptions = {}): Promise<GcReport> {
  const keepRuns = options.keepRuns ?? 5;
  const report: GcReport = {
    keptRecords: 0,
    removedRecords: [],
    keptEntries: 0,
    pinnedEntries: 0,
    removedEntries: [],
    freedBytes: 0,
    removedWorkDirs: [],
    removedTemp: [],
    removedLocks: [],
    liveRuns: [],
    notes: [],
  };
  // strict: runs/ or pins/ that cannot be listed must not read as "no records" or "no pins"
  const names = (await listStrict(cache.path('runs')))
    .filter((n) => n.endsWith('.json'))
    .sort()
    .reverse();
  // read every record first: one that cannot be read stops gc before anything is removed
  const records: [string, RunRecord][] = [];
  for (const name of names) {
    const record = await readRecordForGc(cache, name);
    if (record) records.push([name, record]);
  }
  const live = records.filter(([, r]) => r.status === 'running' && runAlive(r));
  const liveIds = new Set(live.map(([, r]) => r.runId));
  const liveSpecs = new Set(live.map(([, r]) => r.spec.name));
  const perSpec = new Map<string, number>();
  const referenced = new Set<string>();
  const reference = (record: RunRecord) => {
    for (const stage of Object.values(record.stages)) if (stage?.key) referenced.add(stage.key);
  };
  for (const [name, record] of records) {
    if (liveIds.has(record.runId) && record.status === 'running') {
      report.liveRuns.push(name);
      report.keptRecords++;
      reference(record);
      continue;
    }
    // A live run of this spec may still look up what earlier runs of it made: keep those entries.
    if (liveSpecs.has(record.spec.name)) reference(record);
    const seen = perSpec.get(record.spec.name) ?? 0;
    if (seen < keepRuns) {
      perSpec.set(record.spec.name, seen + 1);
      report.keptRecords++;
      reference(record);
      continue;
    }
    report.removedRecords.push(name);
    if (!options.dryRun) await unlink(cache.path('runs', name)).catch(() => {});
  }
  if (live.length > 0)
    report.notes.push(
      `${live.length} run(s) still going (${live.map(([, r]) => `${r.spec.name} ${r.runId}, pid ${r.host?.pid ?? '?'} on ${r.host?.hostname ?? '?'}`).join('; ')}): their records and every entry they may use are kept`,
    );
  await listStrict(cache.path('pins'));
  const pins = await cache.pins();
  const protectedKey = async (key: string) =>
    referenced.has(key) || pins.has(key) || (await lockHeld(cache, key));
  for (const key of await cache.listEntries()) {
    if (pins.has(key)) report.pinnedEntries++;
    if (await protectedKey(key)) {
      report.keptEntries++;
      continue;
    }
    const facts = await entryFacts(cache, key);
    // published by a live run that has not saved its record yet (or whose producer is unknown)
    if (live.length > 0 && (facts.runId === undefined || liveIds.has(facts.runId))) {
      report.keptEntries++;
      continue;
    }
    report.freedBytes += facts.bytes;
    report.removedEntries.push(key);
    if (!options.dryRun) await cache.removeEntry(key);
  }
  // `work/<key>/` (checkpoints) and `work/<key>.<executor>-<job>.log` (cluster job logs)
  for (const name of await readdir(cache.path('work')).catch(() => [] as string[])) {
    const key = name.slice(0, 64);
    if (/^[0-9a-f]{64}$/.test(key) && (await protectedKey(key))) continue;
    report.removedWorkDirs.push(name);
    if (!options.dryRun) await rm(cache.path('work', name), { recursive: true, force: true });
  }
  // drafts of run records: `<runId>.json.<pid>.tmp`
  for (const name of await readdir(cache.path('runs')).catch(() => [] as string[])) {
    if (!name.endsWith('.tmp') || processAlive(Number(name.split('.').at(-2)))) continue;
    report.removedTemp.push(`runs/${name}`);
    if (!options.dryRun) await rm(cache.path('runs', name), { force: true });
  }
  for (const name of await readdir(cache.path('tmp')).catch(() => [] as string[])) {
    if (processAlive(pidOf(name))) continue;
    report.removedTemp.push(name);
    if (!options.dryRun) await rm(cache.path('tmp', name), { recursive: true, force: true });
  }
  for (const name of await readdir(cache.path('locks')).catch(() => [] as string[])) {
    const path = cache.path('locks', name);
    const lock = await readLock(path).catch((error: NodeJS.ErrnoException) => {
      report.notes.push(unreadable(path, error).message);
      return undefined;
    });
    if (!lock) continue;
    if ('text' in lock) {
      if (!(await lockStale(lock))) {
        report.notes.push(
          `locks/${name} is not a serx lock (${lock.quote}); left alone until it is ${UNREADABLE_LOCK_GRACE_MS / 1000} s old`,
        );
        continue;
      }
      report.notes.push(
        `locks/${name} is not a serx lock (${lock.quote}): ${options.dryRun ? 'would be removed' : 'removed'} as stale`,
      );
    } else if (!(await lockStale(lock))) continue;
    report.removedLocks.push(name);
    if (!options.dryRun) await unlink(path).catch(() => {});
  }
  return report;
}
