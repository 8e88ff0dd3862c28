import { readdir, readFile, rm, unlink } from 'node:fs/promises';
import type { Cache } from '../cache/cache.ts';
import { type LockOwner, ownerAlive } from '../cache/lock.ts';
import type { EntryManifest } from '../cache/manifest.ts';
import { listRunRecords, readRunRecord } from './record.ts';

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
  /** Lock files left by killed processes. */
  removedLocks: string[];
}

// tmp names are `<key>.<pid>.<rand>` (staging) or `trash.<pid>.<rand>` (entries being removed)
const pidOf = (name: string) => Number(name.split('.')[1]);

async function entryBytes(cache: Cache, key: string): Promise<number> {
  try {
    const manifest = JSON.parse(
      await readFile(`${cache.entryPath(key)}/manifest.json`, 'utf8'),
    ) as EntryManifest;
    return Object.values(manifest.outputs).reduce((sum, o) => sum + o.size, 0);
  } catch {
    return 0;
  }
}

async function lockAlive(cache: Cache, key: string): Promise<boolean> {
  try {
    return ownerAlive(JSON.parse(await readFile(cache.path('locks', `${key}.lock`), 'utf8')) as LockOwner);
  } catch {
    return false;
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

/**
 * Removes cache entries that no kept run record references and that are not pinned, old run
 * records, checkpoint dirs of unreferenced keys, and temp dirs of dead processes. Keys being
 * computed (live lock) are never touched.
 */
export async function gc(cache: Cache, options: GcOptions = {}): Promise<GcReport> {
  const keepRuns = options.keepRuns ?? 5;
  const perSpec = new Map<string, number>();
  const referenced = new Set<string>();
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
  };
  const names = await listRunRecords(cache);
  for (const name of names.reverse()) {
    const record = await readRunRecord(cache, name);
    const spec = record?.spec.name ?? '';
    const seen = perSpec.get(spec) ?? 0;
    if (record && seen < keepRuns) {
      perSpec.set(spec, seen + 1);
      report.keptRecords++;
      for (const stage of Object.values(record.stages)) if (stage.key) referenced.add(stage.key);
      continue;
    }
    report.removedRecords.push(name);
    if (!options.dryRun) await unlink(cache.path('runs', name)).catch(() => {});
  }
  const pins = await cache.pins();
  for (const key of await cache.listEntries()) {
    if (pins.has(key)) report.pinnedEntries++;
    if (referenced.has(key) || pins.has(key) || (await lockAlive(cache, key))) {
      report.keptEntries++;
      continue;
    }
    report.freedBytes += await entryBytes(cache, key);
    report.removedEntries.push(key);
    if (!options.dryRun) await cache.removeEntry(key);
  }
  for (const key of await readdir(cache.path('work')).catch(() => [] as string[])) {
    if (referenced.has(key) || pins.has(key) || (await lockAlive(cache, key))) continue;
    report.removedWorkDirs.push(key);
    if (!options.dryRun) await rm(cache.path('work', key), { recursive: true, force: true });
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
    const owner = await readFile(cache.path('locks', name), 'utf8').then(
      (text) => JSON.parse(text) as LockOwner,
      () => undefined,
    );
    if (!owner || ownerAlive(owner)) continue;
    report.removedLocks.push(name);
    if (!options.dryRun) await unlink(cache.path('locks', name)).catch(() => {});
  }
  return report;
}
