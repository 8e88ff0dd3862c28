import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Cache } from '../../cache/cache.ts';
import { deserializeError, SerxError } from '../../errors.ts';
import type { GraphNode } from '../../graph/types.ts';
import type { NodeExecutor, NodeJob, NodeTask } from '../executor.ts';
import { type BatchScheduler, isFinished, JOB_ID, type JobStatus } from './batch-scheduler.ts';
import type { ExecutorSettings } from './executor-config.ts';
import { jobLineRelay, parseJobLine } from './job-lines.ts';
import { jobResources } from './resources.ts';

const SERX_BIN = fileURLToPath(new URL('../../../bin/serx.mjs', import.meta.url));
const TAIL_LINES = 30;
/** Consecutive polls a submitted job may be missing from the scheduler's answer before it counts as lost. */
const MISSING_POLLS = 5;
/** Consecutive failed polls (controller restarting...) tolerated before every watched job fails. */
const FAILED_POLLS = 10;

export interface BatchExecutorOptions {
  scheduler: BatchScheduler;
  cache: Cache;
  /** The spec file each job resolves again (absolute). */
  specFile: string;
  /** Working directory of the jobs: the submitter's, so relative paths in the spec mean the same. */
  cwd: string;
  settings: ExecutorSettings;
  /** `--set=...` / `--matrix=...` arguments of the submitting command, in order, passed on to the jobs. */
  overrides?: readonly string[];
  /** `--plugin` packages of the submitting command, passed on to the jobs. */
  plugins?: readonly string[];
  /** Environment of the jobs (spec `${env.X}` must resolve the same there); default: this process's. */
  env?: NodeJS.ProcessEnv;
}

interface Watch {
  id: string;
  log: string;
  offset: number;
  partial: string;
  tail: string[];
  relay: ReturnType<typeof jobLineRelay>;
  missing: number;
  done(status: JobStatus): void;
  fail(error: Error): void;
}

/** The job name encodes the key, so a later run finds a still-running job of the same node and key. */
export function jobName(node: GraphNode, key: string): string {
  return `serx-${key.slice(0, 16)}-${node.id.replace(/[^\w.=-]/g, '_')}`;
}

/** `<cache>/work/<key>.<scheduler>-<job id>.log`: a job's log, beside the key's checkpoints. */
export function batchLogPath(cacheDir: string, scheduler: string, key: string, jobId: string): string {
  return join(cacheDir, 'work', `${key}.${scheduler}-${jobId}.log`);
}

/**
 * Runs each node as one batch job: `serx exec-node <spec> <node>` against the shared cache, which
 * locks the key (with its job id in the lock), computes and publishes. This process only submits,
 * polls the scheduler, relays the job's `@serx` log lines and cancels on abort.
 */
export class BatchExecutor implements NodeExecutor {
  readonly name: string;
  /** Job ids this process submitted (cancelled on abort), and their nodes, for the run record. */
  readonly submitted = new Map<string, string>();
  private readonly options: BatchExecutorOptions;
  private readonly watches = new Map<string, Watch>();
  private readonly limit: LimitFunction;
  private polling: Promise<void> | undefined;

  constructor(options: BatchExecutorOptions) {
    this.options = options;
    this.name = options.scheduler.name;
    this.limit = pLimit(options.settings.maxJobs ?? 500);
  }

  /** The job's command line (also shown by `serx plan --executor slurm`). */
  command(node: GraphNode, key: string, runId: string): string[] {
    const { cache, specFile, plugins = [], overrides = [] } = this.options;
    const cpus = jobResources(node, this.options.settings).cpus ?? 1;
    return [
      process.execPath,
      SERX_BIN,
      'exec-node',
      specFile,
      node.id,
      ...overrides,
      '--cache',
      cache.dir,
      '--expect-key',
      key,
      '--run-id',
      runId,
      '--threads',
      String(cpus),
      ...plugins.flatMap((p) => ['--plugin', p]),
    ];
  }

  /** A second Ctrl-C: cancel every job this process submitted that is still watched, without waiting. */
  kill(): void {
    const ids = [...this.watches.keys()].filter((id) => this.submitted.has(id));
    void this.options.scheduler.cancel(ids).catch(() => {});
  }

  logPath(key: string, jobId: string): string {
    return batchLogPath(this.options.cache.dir, this.name, key, jobId);
  }

  computeNode(task: NodeTask): Promise<NodeJob> {
    return this.limit(() => this.runJob(task));
  }

  private async runJob(task: NodeTask): Promise<NodeJob> {
    const { node, key, runId, channels, signal } = task;
    const { scheduler } = this.options;
    signal.throwIfAborted();
    const name = jobName(node, key);
    const earlier = (await scheduler.active(name))[0];
    let id: string;
    if (earlier) {
      id = earlier.id;
      channels.log.info(
        `adopting ${this.name} job ${id} (submitted earlier for the same key) instead of submitting again`,
      );
    } else {
      id = await scheduler.submit({
        name,
        command: this.command(node, key, runId),
        cwd: this.options.cwd,
        log: this.logPath(key, JOB_ID),
        args: scheduler.resourceArgs(jobResources(node, this.options.settings)),
        ...(this.options.env ? { env: this.options.env } : {}),
      });
      this.submitted.set(id, node.id);
    }
    channels.metrics.tag(`serx.${this.name}.jobId`, id);
    channels.log.info(`${this.name} job ${id} (log: ${this.logPath(key, id)})`);
    const relay = jobLineRelay(channels);
    const tail: string[] = [];
    const finished = this.watch(id, this.logPath(key, id), relay, tail);
    // Cancel our own submissions and wait until they stopped (they release their lock); an adopted
    // job may be awaited by another live run too: leave it running and stop watching it.
    const onAbort = () => {
      if (!earlier) void scheduler.cancel([id]).catch(() => {});
      else this.unwatch(id);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    let status: JobStatus;
    try {
      status = await finished;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    if (signal.aborted) throw signal.reason;
    if (status.state === 'COMPLETED' && (status.exitCode ?? '0:0') === '0:0')
      return {
        jobId: id,
        ...(status.nodes ? { nodes: status.nodes } : {}),
        adopted: earlier !== undefined,
        cached: relay.last.state === 'cached',
      };
    const failure = this.failure(node, status, relay, tail);
    // The stage itself failed in the job: its error, rebuilt with its codes, as if it had run
    // here; the job's facts (state, exit, log) go to the node's log.
    if (relay.last.error) {
      channels.log.warn(failure.message.slice(failure.message.indexOf(': ') + 2));
      throw deserializeError(relay.last.error);
    }
    throw failure;
  }

  private failure(
    node: GraphNode,
    status: JobStatus,
    relay: ReturnType<typeof jobLineRelay>,
    tail: string[],
  ): SerxError {
    const facts = [
      status.reason ? `reason ${status.reason}` : '',
      status.exitCode ? `exit ${status.exitCode}` : '',
      status.nodes ? `on ${status.nodes}` : '',
    ].filter(Boolean);
    const stage = relay.last.state === 'failed' && relay.last.detail ? `\n  stage: ${relay.last.detail}` : '';
    const log =
      tail.length > 0 ? `\n  last lines of its log:\n${tail.map((l) => `    ${l}`).join('\n')}` : '';
    return new SerxError(
      'JOB_FAILED',
      `stage '${node.id}' (${node.definition.name}): ${this.name} job ${status.id} ended ${status.state}${facts.length ? ` (${facts.join(', ')})` : ''}${stage}${log}`,
      { loc: node.loc, specPath: `stages.${node.stageId}` },
    );
  }

  private unwatch(id: string): void {
    const watch = this.watches.get(id);
    this.watches.delete(id);
    watch?.done({ id, name: '', state: 'ABANDONED', reason: 'this run was interrupted' });
  }

  private watch(
    id: string,
    log: string,
    relay: ReturnType<typeof jobLineRelay>,
    tail: string[],
  ): Promise<JobStatus> {
    return new Promise((resolve, reject) => {
      this.watches.set(id, {
        id,
        log,
        offset: 0,
        partial: '',
        tail,
        relay,
        missing: 0,
        done: resolve,
        fail: reject,
      });
      this.polling ??= this.pollLoop().finally(() => {
        this.polling = undefined;
      });
    });
  }

  private async pollLoop(): Promise<void> {
    const every = (this.options.settings.poll ?? 2) * 1000;
    let failures = 0;
    while (this.watches.size > 0) {
      await sleep(every);
      const ids = [...this.watches.keys()];
      let states: Map<string, JobStatus>;
      try {
        states = await this.options.scheduler.poll(ids);
        failures = 0;
      } catch (error) {
        if (++failures < FAILED_POLLS) continue;
        for (const watch of this.watches.values()) watch.fail(error as Error);
        this.watches.clear();
        return;
      }
      for (const id of ids) {
        const watch = this.watches.get(id) as Watch;
        await this.readLog(watch);
        const status = states.get(id);
        if (status && !isFinished(status.state)) {
          watch.missing = 0;
          continue;
        }
        if (!status && ++watch.missing < MISSING_POLLS) continue;
        this.watches.delete(id);
        watch.done(
          status ?? { id, name: '', state: 'UNKNOWN', reason: 'the scheduler no longer knows the job' },
        );
      }
    }
  }

  /** Reads what the job appended to its log since the last poll; relays `@serx` lines, keeps the rest as tail. */
  private async readLog(watch: Watch): Promise<void> {
    let text: string;
    try {
      const file = await open(watch.log, 'r');
      try {
        const { size } = await file.stat();
        if (size <= watch.offset) return;
        const buffer = Buffer.alloc(size - watch.offset);
        await file.read(buffer, 0, buffer.length, watch.offset);
        watch.offset = size;
        text = watch.partial + buffer.toString('utf8');
      } finally {
        await file.close();
      }
    } catch {
      return; // not created yet (pending job)
    }
    const lines = text.split('\n');
    watch.partial = lines.pop() ?? '';
    for (const line of lines) {
      const parsed = parseJobLine(line);
      if (parsed) watch.relay.relay(parsed);
      else if (line.trim()) {
        watch.tail.push(line);
        if (watch.tail.length > TAIL_LINES) watch.tail.shift();
      }
    }
  }
}
