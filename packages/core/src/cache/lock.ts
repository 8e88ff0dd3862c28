import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { quoteBytes } from '../errors.ts';

/** Who holds a lock file (its JSON content). */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** Start time of the process (Linux: jiffies since boot from /proc), to survive pid reuse. */
  startTime: string | undefined;
  acquiredAt: string;
  token: string;
  /**
   * Set when the holder runs in a batch-scheduler job: on another host the lock is stale once the
   * scheduler says that job has ended (see {@link registerJobLiveness}).
   */
  job?: { scheduler: string; id: string };
  /** Lock files written before `job` (Slurm only). */
  slurmJobId?: string;
}

/**
 * A batch scheduler's answers to the lock's two questions, registered by its executor
 * (`run/executors/registry.ts`): which job this process runs in, and whether a holder's job on
 * another host is alive. The lock itself names no scheduler.
 */
export interface JobLiveness {
  /** The scheduler's name, as written in lock files. */
  scheduler: string;
  /** The job this process runs in (from its environment), if it runs in one of this scheduler's jobs. */
  currentJob(env: NodeJS.ProcessEnv): string | undefined;
  /** False only when the scheduler says the job ended or no longer knows it; true when it cannot be asked. */
  alive(id: string): Promise<boolean>;
}

const liveness = new Map<string, JobLiveness>();

export function registerJobLiveness(scheduler: JobLiveness): void {
  liveness.set(scheduler.scheduler, scheduler);
}

export interface LockOptions {
  signal?: AbortSignal;
  /** Called once when the lock is held by someone else and we start waiting. */
  onWait?(owner: LockOwner | undefined): void;
  /** Called when a lock left by a dead process is removed. */
  onStale?(owner: LockOwner): void;
  /**
   * Called once when a lock file that is not a serx lock (empty, garbage: `what` quotes it) is
   * removed as stale after {@link UNREADABLE_LOCK_GRACE_MS}.
   */
  onUnreadableStale?(what: string): void;
}

/**
 * A serx lock file is never seen empty or half-written (it is hard-linked into place complete), so
 * one that does not parse was not written by serx: after this long it counts as stale.
 */
export const UNREADABLE_LOCK_GRACE_MS = 10_000;

/** A lock file's content that is not a lock owner: a short escaped quote, and how old the file is. */
export interface UnreadableLock {
  text: string;
  quote: string;
  ageMs: number;
}

export type ReleaseLock = () => Promise<void>;

export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const self = { pid: process.pid, hostname: hostname(), startTime: processStartTime(process.pid) };

/** The job this process runs in, asked of the registered schedulers when a lock is taken. */
function currentJob(): LockOwner['job'] {
  for (const scheduler of liveness.values()) {
    const id = scheduler.currentJob(process.env);
    if (id) return { scheduler: scheduler.scheduler, id };
  }
  return undefined;
}

/**
 * False only when we can prove the owner is gone: same host and the pid is dead or reused, or
 * another host and its scheduler says the owner's job has ended. An owner on another host outside
 * any job, or in a job of a scheduler nobody registered, is alive (a lock is never broken on a guess).
 */
export async function ownerAlive(owner: LockOwner): Promise<boolean> {
  if (owner.hostname !== self.hostname) {
    const job = owner.job ?? (owner.slurmJobId ? { scheduler: 'slurm', id: owner.slurmJobId } : undefined);
    const scheduler = job && liveness.get(job.scheduler);
    return job && scheduler ? scheduler.alive(job.id) : true;
  }
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (owner.startTime === undefined) return true;
  const now = processStartTime(owner.pid);
  return now === undefined || now === owner.startTime;
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  const read = await readLock(path).catch(() => undefined);
  return read && 'pid' in read ? read : undefined;
}

function isOwner(value: unknown): value is LockOwner {
  const o = value as LockOwner | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    Number.isInteger(o.pid) &&
    typeof o.hostname === 'string' &&
    typeof o.token === 'string'
  );
}

/**
 * The owner in a lock file, or what the file holds when it is not a serx lock; undefined when
 * there is no lock file.
 */
export async function readLock(path: string): Promise<LockOwner | UnreadableLock | undefined> {
  let text: string;
  let mtimeMs: number;
  try {
    [text, { mtimeMs }] = await Promise.all([readFile(path, 'latin1'), stat(path)]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (isOwner(parsed)) return parsed;
  } catch {}
  return { text, quote: text === '' ? 'empty' : quoteBytes(text), ageMs: Date.now() - mtimeMs };
}

/** Whether `lock` no longer protects anything: its owner is gone, or it is garbage older than the grace period. */
export async function lockStale(lock: LockOwner | UnreadableLock): Promise<boolean> {
  return 'pid' in lock ? !(await ownerAlive(lock)) : lock.ageMs >= UNREADABLE_LOCK_GRACE_MS;
}

/**
 * The owner is written to a private file first and then hard-linked into place: link(2) fails
 * with EEXIST like O_EXCL, and a lock file is never seen empty or half-written.
 */
async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  const draft = `${path}.${owner.pid}.${owner.token}.tmp`;
  await writeFile(draft, JSON.stringify(owner), { flag: 'wx' });
  try {
    await link(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(draft).catch(() => {});
  }
}

function newOwner(): LockOwner {
  const job = currentJob();
  return {
    ...self,
    acquiredAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
    ...(job ? { job } : {}),
  };
}

/**
 * Removes `path` if it still holds `stale`. A second, short-lived breaker lock makes sure two
 * waiters that both saw the same stale owner cannot delete each other's fresh lock.
 */
async function breakStale(path: string, stale: LockOwner | UnreadableLock): Promise<boolean> {
  const breaker = `${path}.break`;
  if (!(await tryCreate(breaker, newOwner()))) {
    const holder = await readOwner(breaker);
    if (holder && !(await ownerAlive(holder))) await unlink(breaker).catch(() => {});
    return false;
  }
  try {
    const current = await readLock(path).catch(() => undefined);
    const same =
      current !== undefined &&
      ('pid' in stale
        ? 'pid' in current && current.token === stale.token
        : 'text' in current && current.text === stale.text);
    if (!same) return false;
    await unlink(path).catch(() => {});
    return true;
  } finally {
    await unlink(breaker).catch(() => {});
  }
}

/**
 * Takes an exclusive lock by creating `path` with O_EXCL. Waits (polling, abortable) while a live
 * process holds it; recovers locks left by dead processes.
 */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<ReleaseLock> {
  const owner = newOwner();
  let delay = 20;
  let announced = false;
  for (;;) {
    options.signal?.throwIfAborted();
    if (await tryCreate(path, owner)) break;
    const lock = await readLock(path);
    if (lock && (await lockStale(lock))) {
      if (await breakStale(path, lock)) {
        if ('pid' in lock) options.onStale?.(lock);
        else options.onUnreadableStale?.(lock.quote);
      }
      continue;
    }
    if (!announced) {
      announced = true;
      options.onWait?.(lock && 'pid' in lock ? lock : undefined);
    }
    await sleep(delay, undefined, options.signal ? { signal: options.signal } : undefined).catch(() => {});
    delay = Math.min(500, delay * 1.5);
  }
  return async () => {
    const current = await readOwner(path);
    if (current?.token === owner.token) await unlink(path).catch(() => {});
  };
}
