import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { processStartTime } from '../../../cache/lock.ts';
import {
  type BatchJob,
  type BatchScheduler,
  isFinished,
  JOB_ID,
  type JobStatus,
} from '../batch-scheduler.ts';

/** A job of this scheduler as it is kept on disk: `<dir>/<id>.json`, `<id>.exit` once it ended. */
interface LocalJob {
  id: string;
  name: string;
  pid: number;
  startTime: string | undefined;
}

/**
 * A batch scheduler without a cluster: each job is a detached process on this machine (it
 * survives the run that submitted it, as a cluster job does), its state kept in files under
 * `$SERX_LOCAL_JOBS` (default: `<tmpdir>/serx-local-jobs-<user>`).
 * `serx run --executor local-jobs` computes each node as `serx exec-node`, as on Slurm.
 */
export class LocalScheduler implements BatchScheduler {
  readonly name = 'local-jobs';
  /**
   * @param keepFinishedMs how long a finished job's files are kept (its state answered), as Slurm
   * keeps finished jobs `MinJobAge`; older ones are removed at the next submit. Default one hour.
   */
  constructor(private readonly keepFinishedMs = 60 * 60 * 1000) {}

  private get dir(): string {
    return process.env.SERX_LOCAL_JOBS || join(tmpdir(), `serx-local-jobs-${userInfo().username}`);
  }

  async submit(job: BatchJob): Promise<string> {
    mkdirSync(this.dir, { recursive: true });
    await this.prune();
    const id = `${Date.now()}${randomInt(1000).toString().padStart(3, '0')}`;
    const log = openSync(job.log.replaceAll(JOB_ID, id), 'a');
    // sh waits for the command (a SIGTERM to the group stops the command, not sh), then records
    // its exit status where poll() finds it
    const script =
      'trap : TERM INT; exit_file=$1; shift; "$@"; echo $? > "$exit_file.tmp"; mv "$exit_file.tmp" "$exit_file"';
    const child = spawn('/bin/sh', ['-c', script, 'sh', join(this.dir, `${id}.exit`), ...job.command], {
      cwd: job.cwd,
      env: { ...(job.env ?? process.env), SERX_LOCAL_JOB_ID: id },
      detached: true,
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    const pid = child.pid as number;
    child.unref();
    const record: LocalJob = { id, name: job.name, pid, startTime: processStartTime(pid) };
    await writeFile(join(this.dir, `${id}.json`), JSON.stringify(record));
    return id;
  }

  async poll(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    const found = new Map<string, JobStatus>();
    for (const id of ids) {
      const status = await this.status(id);
      if (status) found.set(id, status);
    }
    return found;
  }

  async active(name: string): Promise<JobStatus[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const ids = names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length));
    const jobs = [...(await this.poll(ids)).values()];
    return jobs.filter((job) => job.name === name && !isFinished(job.state));
  }

  async cancel(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const job = await this.read(id);
      if (!job || !this.running(job)) continue;
      await writeFile(join(this.dir, `${id}.cancelled`), '');
      process.kill(-job.pid, 'SIGTERM'); // the job's process group: sh and the command
    }
  }

  async alive(id: string): Promise<boolean> {
    const status = await this.status(id);
    return status !== undefined && !isFinished(status.state);
  }

  currentJob(env: NodeJS.ProcessEnv): string | undefined {
    return env.SERX_LOCAL_JOB_ID || undefined;
  }

  resourceArgs(): string[] {
    return []; // one process per job: resources are not reserved
  }

  submitArgs(job: Pick<BatchJob, 'name' | 'log' | 'cwd' | 'args'>): string[] {
    return [`name=${job.name}`, `log=${job.log.replaceAll(JOB_ID, '<id>')}`, `cwd=${job.cwd}`];
  }

  /** Removes the files of jobs that ended more than `keepFinishedMs` ago. */
  private async prune(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const id of names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length))) {
      const file = (ext: string) => join(this.dir, `${id}${ext}`);
      const job = await this.read(id);
      if (job && this.running(job)) continue;
      // ended: when its exit status was written, else (killed with sh) no later than its submission
      const ended = await stat(file('.exit')).catch(() => stat(file('.json')).catch(() => undefined));
      if (!ended || Date.now() - ended.mtimeMs <= this.keepFinishedMs) continue;
      for (const ext of ['.exit', '.cancelled', '.json']) await rm(file(ext), { force: true });
    }
  }

  private async read(id: string): Promise<LocalJob | undefined> {
    if (!/^\d+$/.test(id)) return undefined;
    return readFile(join(this.dir, `${id}.json`), 'utf8').then(
      (text) => JSON.parse(text) as LocalJob,
      () => undefined,
    );
  }

  private running(job: LocalJob): boolean {
    try {
      process.kill(job.pid, 0);
    } catch {
      return false;
    }
    return job.startTime === undefined || processStartTime(job.pid) === job.startTime;
  }

  private async status(id: string): Promise<JobStatus | undefined> {
    const job = await this.read(id);
    if (!job) return undefined;
    const base = { id, name: job.name, nodes: hostname() };
    const exit = await readFile(join(this.dir, `${id}.exit`), 'utf8').catch(() => undefined);
    const cancelled = await readFile(join(this.dir, `${id}.cancelled`)).then(
      () => true,
      () => false,
    );
    if (exit !== undefined) {
      const code = exit.trim();
      if (code === '0') return { ...base, state: 'COMPLETED', exitCode: '0:0' };
      return { ...base, state: cancelled ? 'CANCELLED' : 'FAILED', exitCode: `${code}:0` };
    }
    if (this.running(job)) return { ...base, state: 'RUNNING' };
    if (cancelled) return { ...base, state: 'CANCELLED' };
    return { ...base, state: 'FAILED', reason: 'its process ended without recording an exit status' };
  }
}
