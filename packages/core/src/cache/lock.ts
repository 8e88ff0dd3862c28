import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { slurmJobAlive } from './slurm-job-alive.ts';

/** Who holds a lock file (its JSON content). */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** Start time of the process (Linux: jiffies since boot from /proc), to survive pid reuse. */
  startTime: string | undefined;
  acquiredAt: string;
  token: string;
  /** Set when the holder runs in a Slurm job: on another host the lock is stale once that job is gone. */
  slurmJobId?: string;
}

export interface LockOptions {
  signal?: AbortSignal;
  /** Called once when the lock is held by someone else and we start waiting. */
  onWait?(owner: LockOwner | undefined): void;
  /** Called when a lock left by a dead process is removed. */
  onStale?(owner: LockOwner): void;
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

const self = {
  pid: process.pid,
  hostname: hostname(),
  startTime: processStartTime(process.pid),
  ...(process.env.SLURM_JOB_ID ? { slurmJobId: process.env.SLURM_JOB_ID } : {}),
};

/**
 * False only when we can prove the owner is gone: same host and the pid is dead or reused, or
 * another host and the owner's Slurm job has ended.
 */
export function ownerAlive(owner: LockOwner): boolean {
  if (owner.hostname !== self.hostname) return owner.slurmJobId ? slurmJobAlive(owner.slurmJobId) : true;
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
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockOwner;
  } catch {
    return undefined; // gone, or being written this very instant
  }
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
  return { ...self, acquiredAt: new Date().toISOString(), token: randomBytes(8).toString('hex') };
}

/**
 * Removes `path` if it still holds `stale`. A second, short-lived breaker lock makes sure two
 * waiters that both saw the same stale owner cannot delete each other's fresh lock.
 */
async function breakStale(path: string, stale: LockOwner): Promise<boolean> {
  const breaker = `${path}.break`;
  if (!(await tryCreate(breaker, newOwner()))) {
    const holder = await readOwner(breaker);
    if (holder && !ownerAlive(holder)) await unlink(breaker).catch(() => {});
    return false;
  }
  try {
    const current = await readOwner(path);
    if (current?.token !== stale.token) return false;
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
    const holder = await readOwner(path);
    if (holder && !ownerAlive(holder)) {
      if (await breakStale(path, holder)) options.onStale?.(holder);
      continue;
    }
    if (!announced) {
      announced = true;
      options.onWait?.(holder);
    }
    await sleep(delay, undefined, options.signal ? { signal: options.signal } : undefined).catch(() => {});
    delay = Math.min(500, delay * 1.5);
  }
  return async () => {
    const current = await readOwner(path);
    if (current?.token === owner.token) await unlink(path).catch(() => {});
  };
}
