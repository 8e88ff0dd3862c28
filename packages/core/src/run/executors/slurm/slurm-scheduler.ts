import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import { SerxError } from '../../../errors.ts';
import type { BatchJob, BatchScheduler, JobStatus } from '../batch-scheduler.ts';
import { ARRAY_INDEX, isFinished, JOB_ID } from '../batch-scheduler.ts';
import type { JobResources } from '../resources.ts';
import { parseSbatch, parseScontrolJob, parseSqueue, SQUEUE_FORMAT } from './slurm-parse.ts';

function run(
  command: string,
  args: readonly string[],
  input?: string,
  env?: NodeJS.ProcessEnv,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const options = { timeout: 120_000, maxBuffer: 16 << 20, ...(env ? { env } : {}) };
    const child = execFile(command, args, options, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const why =
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? `${command} not found: is this a Slurm login node? (locally: bash scripts/slurm-local.sh up)`
          : `${command} ${args.join(' ')} failed: ${stderr.trim() || error.message}`;
      reject(new SerxError('SCHEDULER', why, { cause: error }));
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** The sbatch arguments of `resources`, in a fixed order. */
export function sbatchArgs(resources: JobResources): string[] {
  const r = resources;
  return [
    ...(r.cpus ? ['--ntasks=1', `--cpus-per-task=${r.cpus}`] : []),
    ...(r.mem ? [`--mem=${r.mem}`] : []),
    ...(r.time ? [`--time=${r.time}`] : []),
    ...(r.gres ? [`--gres=${r.gres}`] : []),
    ...(r.partition ? [`--partition=${r.partition}`] : []),
    ...(r.account ? [`--account=${r.account}`] : []),
    ...(r.qos ? [`--qos=${r.qos}`] : []),
    ...(r.extra ?? []),
  ];
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * `path` as an sbatch filename pattern (`--output`, `--error`, `--input`): sbatch expands `%j`,
 * `%x`, `%u`... there, so every `%` of the path is written `%%`, and {@link JOB_ID} becomes `%j`.
 * (`--chdir` and `--job-name` take their value literally: a `%%` there would stay `%%`.)
 */
export function slurmFilenamePattern(path: string, array = false): string {
  return path.replaceAll('%', '%%').replaceAll(JOB_ID, array ? '%A_%a' : '%j');
}

/** The sbatch arguments of a job (what `serx plan --executor slurm` shows, too). */
export function sbatchJobArgs(
  job: Pick<BatchJob, 'name' | 'log' | 'cwd' | 'args'>,
  array?: number,
): string[] {
  return [
    `--job-name=${job.name}`,
    ...(array === undefined ? [] : [`--array=0-${array - 1}`]),
    `--output=${slurmFilenamePattern(job.log, array !== undefined)}`,
    `--chdir=${job.cwd}`,
    // the job starts with sbatch's environment: `job.env`
    '--export=ALL',
    // scancel / a time limit sends SIGTERM first; the job then has KillWait seconds to clean up
    ...job.args,
  ];
}

/**
 * Slurm through its command-line clients. States come from `squeue --states=all` (finished jobs
 * stay listed for MinJobAge) and `scontrol show job` for exit codes — never `sacct`, since
 * accounting is often off.
 */
export class SlurmScheduler implements BatchScheduler {
  readonly name = 'slurm';
  private readonly user = userInfo().username;

  async submit(job: BatchJob): Promise<string> {
    const script = `#!/bin/sh\nexec ${job.command.map(shellQuote).join(' ')}\n`;
    return parseSbatch(await run('sbatch', ['--parsable', ...sbatchJobArgs(job)], script, job.env));
  }

  /** `sbatch --array=0-<count-1>`: task i is `<array id>_<i>` in squeue, scontrol and scancel. */
  async submitArray(job: BatchJob, count: number): Promise<string[]> {
    const words = job.command.map((w) => (w === ARRAY_INDEX ? '"$SLURM_ARRAY_TASK_ID"' : shellQuote(w)));
    const script = `#!/bin/sh\nexec ${words.join(' ')}\n`;
    const id = parseSbatch(
      await run('sbatch', ['--parsable', ...sbatchJobArgs(job, count)], script, job.env),
    );
    return Array.from({ length: count }, (_, i) => `${id}_${i}`);
  }

  async poll(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    const wanted = new Set(ids);
    const found = new Map<string, JobStatus>();
    if (wanted.size === 0) return found;
    const listed = parseSqueue(
      await run('squeue', ['-h', '-r', '--states=all', `--user=${this.user}`, '-o', SQUEUE_FORMAT]),
    );
    for (const job of listed) if (wanted.has(job.id)) found.set(job.id, job);
    // squeue has no exit code: ask scontrol once a job has finished
    await Promise.all(
      [...found.values()]
        .filter((job) => isFinished(job.state))
        .map(async (job) => {
          const detail = await this.show(job.id);
          if (detail) found.set(job.id, { ...job, ...detail, id: job.id, name: job.name });
        }),
    );
    return found;
  }

  async active(name: string): Promise<JobStatus[]> {
    const listed = parseSqueue(
      await run('squeue', ['-h', '-r', `--user=${this.user}`, `--name=${name}`, '-o', SQUEUE_FORMAT]),
    );
    return listed.filter((job) => job.name === name && !isFinished(job.state));
  }

  async cancel(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await run('scancel', [...ids]);
  }

  async alive(id: string): Promise<boolean> {
    let state: string;
    try {
      // any user's job (a shared cache), finished ones included while Slurm remembers them
      state = (await run('squeue', ['-h', '--states=all', '-j', id, '-o', '%T'])).trim();
    } catch (error) {
      if (/Invalid job id/i.test(String((error as Error).message))) return false;
      throw error;
    }
    return state !== '' && !isFinished(state.split(/\s/)[0] as string);
  }

  currentJob(env: NodeJS.ProcessEnv): string | undefined {
    return env.SLURM_JOB_ID || undefined;
  }

  resourceArgs(resources: JobResources): string[] {
    return sbatchArgs(resources);
  }

  submitArgs(job: Pick<BatchJob, 'name' | 'log' | 'cwd' | 'args'>): string[] {
    return sbatchJobArgs(job);
  }

  private async show(id: string): Promise<JobStatus | undefined> {
    try {
      return parseScontrolJob(await run('scontrol', ['show', 'job', '-o', id]));
    } catch {
      return undefined; // purged between squeue and scontrol: squeue's state stands
    }
  }
}
