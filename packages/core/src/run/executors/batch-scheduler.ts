/**
 * A batch scheduler (Slurm; PBS, LSF, Kubernetes Jobs... each one file like `slurm/`) seen by the
 * batch executor and the cache's locks: eight operations, registered with `registerScheduler`
 * (`registry.ts`). Everything serx-specific (what a job runs, how its events come back) lives in
 * the executor; everything scheduler-specific (commands, states, environment variables, log
 * filename patterns) lives behind this interface. See docs/scaling.md, "Add a scheduler".
 */

import type { JobResources } from './resources.ts';

/** Stands for the job id in {@link BatchJob.log}; a NUL never occurs in a real path. */
export const JOB_ID = '\0job-id\0';

/**
 * Stands, as a whole argument of {@link BatchJob.command}, for the index (0, 1, ...) of the task
 * of a job array that runs it (see {@link BatchScheduler.submitArray}).
 */
export const ARRAY_INDEX = '\0array-index\0';

/** One job to submit: a command line run once on some node. */
export interface BatchJob {
  /** Job name; the executor encodes the cache key in it so a later run can find (adopt) the job. */
  name: string;
  /** argv of the job's single command (run with `exec`, so signals reach it). */
  command: string[];
  /** Working directory of the job (must exist on the compute nodes: a shared filesystem). */
  cwd: string;
  /**
   * File receiving the job's stdout and stderr, a literal path in which {@link JOB_ID} stands for
   * the job id (the scheduler turns it into its own pattern, escaping everything else).
   */
  log: string;
  /** Scheduler-specific submission arguments: its {@link BatchScheduler.resourceArgs} of the node's resources. */
  args: string[];
  /** Environment the job starts with (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

/** A job's state as the scheduler reports it (Slurm's names: PENDING, RUNNING, COMPLETED, FAILED...). */
export interface JobStatus {
  id: string;
  name: string;
  state: string;
  /** Node(s) the job runs or ran on. */
  nodes?: string;
  /** Why it is pending, or why it ended (Slurm's Reason field). */
  reason?: string;
  /** `exit:signal`, when known. */
  exitCode?: string;
}

export interface BatchScheduler {
  readonly name: string;
  /** Submits and returns the job id. */
  submit(job: BatchJob): Promise<string>;
  /**
   * Submits `count` tasks of one command as a job array (Slurm: `sbatch --array=0-<count-1>`), in
   * which {@link ARRAY_INDEX} stands for the task's index and {@link JOB_ID} in the log for the
   * task's id; returns the task ids in index order, each one a job id for `poll`, `cancel` and
   * `alive`. Optional: without it, each task is submitted as a job of its own.
   */
  submitArray?(job: BatchJob, count: number): Promise<string[]>;
  /**
   * States of the given jobs. A job missing from the map is unknown to the scheduler (finished
   * longer ago than it keeps records, or never existed).
   */
  poll(ids: readonly string[]): Promise<Map<string, JobStatus>>;
  /** Jobs of the current user with this exact name that have not finished (for adoption). */
  active(name: string): Promise<JobStatus[]>;
  cancel(ids: readonly string[]): Promise<void>;
  /**
   * Whether job `id` may still run, for a lock held by it on another host: false only when the
   * scheduler says it ended or does not know it; reject when the scheduler cannot be asked.
   */
  alive(id: string): Promise<boolean>;
  /** The submission arguments for a job's resources (Slurm: `--cpus-per-task=2 --mem=8G ...`). */
  resourceArgs(resources: JobResources): string[];
  /** The whole submission line of a job as `submit` would pass it (what `serx plan` shows). */
  submitArgs(job: Pick<BatchJob, 'name' | 'log' | 'cwd' | 'args'>): string[];
  /** The id of the job this process runs in, from its environment (Slurm: `SLURM_JOB_ID`). */
  currentJob(env: NodeJS.ProcessEnv): string | undefined;
}

/** States after which a job never runs again (Slurm's names; another scheduler maps its own onto them). */
export const FINISHED_STATES = new Set([
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
  'SPECIAL_EXIT',
  'REVOKED',
]);

export function isFinished(state: string): boolean {
  return FINISHED_STATES.has(state);
}
