import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Cache } from '../../cache/cache.ts';
import { deserializeError, SerxError } from '../../errors.ts';
import type { Graph, GraphNode } from '../../graph/types.ts';
import { shardContractOf } from '../../plugins/shard-contract.ts';
import type { NodeExecutor, NodeJob, NodeTask } from '../executor.ts';
import type { StageRecord } from '../record.ts';
import { runShardJobs, shardJobName } from '../shards/batch-shards.ts';
import { ARRAY_INDEX, type BatchScheduler, isFinished, JOB_ID, type JobStatus } from './batch-scheduler.ts';
import type { ExecutorSettings } from './executor-config.ts';
import { type JobLine, jobLineRelay, parseJobLine } from './job-lines.ts';
import { type JobUnit, type JobUnits, jobUnits } from './job-units.ts';
import { jobResources } from './resources.ts';

const SERX_BIN = fileURLToPath(new URL('../../../bin/serx.mjs', import.meta.url));
const TAIL_LINES = 30;
/** Consecutive polls a submitted job may be missing from the scheduler's answer before it counts as lost. */
const MISSING_POLLS = 5;
/** Consecutive failed polls (controller restarting...) tolerated before every watched job fails. */
const FAILED_POLLS = 10;
/** How often the jobs' logs are read (a node of a job group is settled from its log, not the scheduler). */
const LOG_READ_MS = 250;

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

/** One node a submitted job computes, as this run sees it. */
interface Member {
  id: string;
  /** Lines about the node read before the runner asked for it, replayed when it does. */
  buffered: JobLine[];
  relay?: ReturnType<typeof jobLineRelay>;
  /** The node's `done` line (it can be read from the cache now). */
  done?: { state: string; key?: string; host?: string };
  error?: JobLine & { t: 'error' };
  /** The runner's request for the node, until it is answered. */
  waiter?: { task: NodeTask; resolve(job: NodeJob): void; reject(error: Error): void };
  settled: boolean;
}

/** One scheduler job (or task of a job array) computing one unit, and what this run knows of it. */
interface Job {
  id: string;
  unit: JobUnit;
  log: string;
  offset: number;
  partial: string;
  tail: string[];
  missing: number;
  members: Map<string, Member>;
  adopted: boolean;
  /** The scheduler's last word on it, once it ended. */
  status?: JobStatus;
  ended: Promise<JobStatus>;
  end(status: JobStatus): void;
}

/** A unit on its way to a job: the runner's requests for its nodes until it is submitted. */
interface Pending {
  unit: JobUnit;
  tasks: Map<string, NodeTask>;
  /** Once launched: the nodes its job computes. */
  members?: Set<string>;
  /** Its job, once submitted or adopted. */
  job: Promise<Job>;
  launched(job: Promise<Job>): void;
}

function pendingUnit(unit: JobUnit): Pending {
  let launched!: (job: Promise<Job>) => void;
  const job = new Promise<Job>((resolve) => {
    launched = resolve;
  });
  return { unit, tasks: new Map(), job, launched };
}

/** The job name encodes the key, so a later run finds a still-running job of the same node and key. */
export function jobName(node: GraphNode, key: string): string {
  return `serx-${key.slice(0, 16)}-${node.id.replace(/[^\w.=-]/g, '_')}`;
}

/** A job group's (or job array's) name: a hash of what it computes, so a later run finds it too. */
export function unitJobName(label: string, identity: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 16);
  return `serx-${hash}-${label.replace(/[^\w.=-]/g, '_')}`;
}

/** `<cache>/work/<key>.<scheduler>-<job id>.log`: a job's log, beside the key's checkpoints. */
export function batchLogPath(cacheDir: string, scheduler: string, key: string, jobId: string): string {
  return join(cacheDir, 'work', `${key}.${scheduler}-${jobId}.log`);
}

/**
 * Runs nodes as batch jobs: `serx exec-node <spec> <node>...` against the shared cache, which
 * locks each key (with its job id in the lock), computes and publishes. A job computes one node,
 * or a job group (`job-units.ts`: a `group:` of the spec, a light stage with its upstream), and
 * units of one shape that are ready together go out as one job array where the scheduler has
 * them. This process only submits, polls the scheduler, relays each node's `@serx` log lines,
 * settles each node from its `done` line (or the job's end), and cancels on abort.
 */
export class BatchExecutor implements NodeExecutor {
  readonly name: string;
  /** Job ids this process submitted (cancelled on abort), and their nodes, for the run record. */
  readonly submitted = new Map<string, string>();
  private readonly options: BatchExecutorOptions;
  private readonly limit: LimitFunction;
  private units: JobUnits | undefined;
  private graph: Graph | undefined;
  /** Jobs being watched, by job id. */
  private readonly watched = new Map<string, Job>();
  /** Units by id, from the moment a node of theirs reaches `computeNode`. */
  private readonly pending = new Map<string, Pending>();
  /** Nodes the runner started that have neither reached `computeNode` nor settled. */
  private readonly inFlight = new Set<string>();
  /** What the runner settled: status and key. */
  private readonly settledNodes = new Map<string, { status: string; key?: string }>();
  private checkScheduled = false;
  private polling: Promise<void> | undefined;
  private readonly cancelled = new Set<string>();

  constructor(options: BatchExecutorOptions) {
    this.options = options;
    this.name = options.scheduler.name;
    this.limit = pLimit(options.settings.maxJobs ?? 500);
  }

  prepare(graph: Graph, selected: readonly string[]): ReadonlyMap<string, readonly string[]> {
    this.graph = graph;
    this.units = jobUnits(graph, selected, this.options.settings);
    const waits = new Map<string, readonly string[]>();
    for (const unit of this.units.units)
      if (unit.members.length > 1) for (const id of unit.members) waits.set(id, unit.external);
    return waits;
  }

  /** The unit of a node (a unit of one when the run did not prepare units). */
  unitOf(node: GraphNode): JobUnit {
    return this.units?.of.get(node.id) ?? this.unitOfOne(node);
  }

  private unitOfOne(node: GraphNode): JobUnit {
    return {
      id: node.id,
      members: [node.id],
      roots: [node.id],
      external: [],
      resources: jobResources(node, this.options.settings),
    };
  }

  starting(nodeId: string): void {
    this.inFlight.add(nodeId);
  }

  settled(nodeId: string, record: StageRecord): void {
    this.inFlight.delete(nodeId);
    this.settledNodes.set(nodeId, { status: record.status, ...(record.key ? { key: record.key } : {}) });
    this.scheduleCheck();
  }

  claims(nodeId: string): boolean {
    const node = this.graph?.nodes.get(nodeId);
    const pending = node ? this.pending.get(this.unitOf(node).id) : undefined;
    return pending?.members?.has(nodeId) === true && !pending.tasks.has(nodeId);
  }

  private unitCommand(nodeArgs: string[], expect: string[], cpus: number, runId: string): string[] {
    const { cache, specFile, plugins = [], overrides = [] } = this.options;
    return [
      process.execPath,
      SERX_BIN,
      'exec-node',
      specFile,
      ...nodeArgs,
      ...overrides,
      '--cache',
      cache.dir,
      ...expect.flatMap((e) => ['--expect-key', e]),
      '--run-id',
      runId,
      '--threads',
      String(cpus),
      ...(this.options.settings.jobStageExecutor
        ? ['--stage-executor', this.options.settings.jobStageExecutor]
        : []),
      ...plugins.flatMap((p) => ['--plugin', p]),
    ];
  }

  /** A second Ctrl-C: cancel every job this process submitted that is still watched, without waiting. */
  kill(): void {
    const ids = [...this.watched.keys()].filter((id) => this.submitted.has(id));
    void this.options.scheduler.cancel(ids).catch(() => {});
  }

  /** The run ends once the jobs it submitted have (a node is settled from its log before its job exits). */
  async close(): Promise<void> {
    while (this.polling) await this.polling;
  }

  logPath(key: string, jobId: string): string {
    return batchLogPath(this.options.cache.dir, this.name, key, jobId);
  }

  computeNode(task: NodeTask): Promise<NodeJob> {
    task.signal.throwIfAborted();
    const { node } = task;
    this.inFlight.delete(node.id);
    // a sharded node alone in its job: its shards first (a job array), then its job merges them
    if (node.shards && shardContractOf(node.definition) && this.unitOf(node).members.length === 1) {
      const resources = this.unitOf(node).resources;
      return runShardJobs(task, {
        scheduler: this.options.scheduler,
        cache: this.options.cache,
        command: (args) => this.unitCommand([node.id, ...args], [task.key], resources.cpus ?? 1, task.runId),
        job: {
          cwd: this.options.cwd,
          log: this.logPath(task.key, JOB_ID),
          args: this.options.scheduler.resourceArgs(resources),
          ...(this.options.env ? { env: this.options.env } : {}),
        },
        name: shardJobName(node, task.key),
        arrays: this.options.settings.arrays !== false,
        pollSeconds: this.options.settings.poll ?? 2,
        submitted: (id, what) => this.submitted.set(id, what),
      }).then(() => this.computeUnit(task));
    }
    return this.computeUnit(task);
  }

  private computeUnit(task: NodeTask): Promise<NodeJob> {
    const { node } = task;
    const unit = this.unitOf(node);
    let pending = this.pending.get(unit.id);
    if (pending?.members && !pending.members.has(node.id)) {
      // its unit's job went out without it (it had settled, or an input of it had failed): alone
      const alone = `${unit.id}\0${node.id}`;
      pending = this.pending.get(alone);
      if (!pending) {
        pending = pendingUnit(this.unitOfOne(node));
        this.pending.set(alone, pending);
      }
    }
    if (!pending) {
      pending = pendingUnit(unit);
      this.pending.set(unit.id, pending);
    }
    pending.tasks.set(node.id, task);
    if (!pending.members) this.scheduleCheck();
    return this.attach(pending, task);
  }

  /** Waits for the unit's job, then for the node's end in it. */
  private async attach(pending: Pending, task: NodeTask): Promise<NodeJob> {
    const { node, channels, signal } = task;
    const job = await pending.job;
    const member = job.members.get(node.id);
    if (!member)
      throw new SerxError('INTERNAL', `node '${node.id}' is not in ${this.name} job ${job.id} of its group`);
    channels.metrics.tag(`serx.${this.name}.jobId`, job.id);
    const group = job.unit.members.length > 1 ? job.unit.id : undefined;
    channels.log.info(
      `${this.name} job ${job.id}${group ? ` (group ${group}: ${job.members.size} nodes)` : ''} (log: ${job.log})`,
    );
    const relay = jobLineRelay(channels);
    member.relay = relay;
    for (const line of member.buffered.splice(0)) relay.relay(line);
    // Cancel our own submissions and wait until they stopped (they release their locks); an
    // adopted job may be awaited by another live run too: leave it running and stop watching it.
    const onAbort = () => {
      if (job.adopted) this.unwatch(job);
      else if (!this.cancelled.has(job.id)) {
        this.cancelled.add(job.id);
        void this.options.scheduler.cancel([job.id]).catch(() => {});
      }
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await new Promise<NodeJob>((resolve, reject) => {
        member.waiter = { task, resolve, reject };
        this.settle(job, member);
        if (signal.aborted) onAbort();
      });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
      member.settled = true;
      member.waiter = undefined;
    }
  }

  /** Answers a member's waiter if what is known settles it: its `done` line, or its job's end. */
  private settle(job: Job, member: Member): void {
    const waiter = member.waiter;
    if (!waiter || member.settled) return;
    const verdict = this.verdict(job, member, waiter.task);
    if (verdict === undefined) return;
    if (verdict instanceof Error) waiter.reject(verdict);
    else waiter.resolve(verdict);
  }

  /** The node's outcome as far as known: what its job reported, or how the job ended; undefined while it runs. */
  private verdict(job: Job, member: Member, task: NodeTask): NodeJob | Error | undefined {
    const { node, key } = task;
    const done = member.done;
    const group = job.unit.members.length > 1 ? job.unit.id : undefined;
    const ok = (cached: boolean, host?: string): NodeJob => ({
      jobId: job.id,
      ...(host ? { nodes: host } : job.status?.nodes ? { nodes: job.status.nodes } : {}),
      adopted: job.adopted,
      cached,
      ...(group ? { group } : {}),
      ...(cached && group ? { detail: `already in the cache when its job group ${group} reached it` } : {}),
    });
    if (done && (done.state === 'succeeded' || done.state === 'cached')) {
      if (done.key !== undefined && done.key !== key)
        return new SerxError(
          'JOB_FAILED',
          `stage '${node.id}' (${node.definition.name}): ${this.name} job ${job.id} computed key ${done.key.slice(0, 12)}, this run expects ${key.slice(0, 12)} (the spec, its inputs or the code changed while the job ran); rerun serx`,
          { loc: node.loc, specPath: `stages.${node.stageId}` },
        );
      return ok(done.state === 'cached', done.host);
    }
    const error = member.relay?.last.error;
    // a node of a group that failed while its job goes on with others: its own error now, the
    // job's facts in its log (else the job's end, with them, is moments away)
    const goesOn = [...job.members.values()].some((m) => m !== member && !m.done);
    if (done?.state === 'failed' && error && !job.status && goesOn) {
      task.channels.log.warn(
        `failed in ${this.name} job ${job.id}, which goes on with the rest of its group (log: ${job.log})`,
      );
      return deserializeError(error);
    }
    const status = job.status;
    if (!status) return undefined;
    // a job without `done` lines (submitted by an earlier serx): its end is the node's
    if (status.state === 'COMPLETED' && (status.exitCode ?? '0:0') === '0:0' && !done)
      return ok(member.relay?.last.state === 'cached');
    const relay = member.relay as ReturnType<typeof jobLineRelay>;
    const failure = this.failure(node, status, relay, job.tail);
    // The stage itself failed in the job: its error, rebuilt with its codes, as if it had run
    // here; the job's facts (state, exit, log) go to the node's log.
    if (!error) return failure;
    task.channels.log.warn(failure.message.slice(failure.message.indexOf(': ') + 2));
    return deserializeError(error);
  }

  private scheduleCheck(): void {
    if (this.checkScheduled) return;
    this.checkScheduled = true;
    // after the runner's pending promise callbacks: nodes whose inputs just settled have started
    setImmediate(() => {
      this.checkScheduled = false;
      this.check();
    });
  }

  /** Whether every root of a pending unit has reached `computeNode` or settled. */
  private ready(pending: Pending): boolean {
    if (pending.unit.roots.length === 1) return true;
    return pending.unit.roots.every((r) => pending.tasks.has(r) || this.settledNodes.has(r));
  }

  /** A unit not submitted yet that may soon be: a node of it started, or it waits for another root. */
  private forming(unit: JobUnit): boolean {
    const pending = this.pending.get(unit.id);
    if (pending?.members) return false;
    if (pending && pending.tasks.size > 0 && !this.ready(pending)) return true;
    return unit.members.some((m) => this.inFlight.has(m));
  }

  /** Submits the units that are ready: alone, or as one array with the ready units of their shape. */
  private check(): void {
    for (const pending of this.pending.values()) {
      const aborted = [...pending.tasks.values()].find((t) => t.signal.aborted);
      if (pending.members || !aborted) continue;
      // interrupted before its job went out: nothing is submitted
      pending.members = new Set();
      const reason = aborted.signal.reason;
      pending.launched(Promise.reject(reason));
    }
    const ready = [...this.pending.values()].filter((p) => !p.members && p.tasks.size > 0 && this.ready(p));
    const arrays = this.options.settings.arrays !== false && this.options.scheduler.submitArray;
    const byClass = new Map<string, Pending[]>();
    for (const pending of ready) {
      const cls = arrays ? pending.unit.arrayClass : undefined;
      if (cls === undefined) this.launch([pending]);
      else byClass.set(cls, [...(byClass.get(cls) ?? []), pending]);
    }
    for (const [cls, list] of byClass) {
      const siblings = this.units?.units.filter((u) => u.arrayClass === cls) ?? [];
      if (siblings.some((u) => !list.some((p) => p.unit === u) && this.forming(u))) continue;
      this.launch(
        list.sort((a, b) => (a.unit.members[0] as string).localeCompare(b.unit.members[0] as string)),
      );
    }
  }

  /** Submits (or adopts) one job for `list` (an array of them when there are several). */
  private launch(list: Pending[]): void {
    const { scheduler } = this.options;
    const graph = this.graph;
    const node = (id: string) => (graph?.nodes.get(id) ?? list[0]?.tasks.get(id)?.node) as GraphNode;
    const plans = list.map((pending) => {
      const { unit, tasks } = pending;
      // what the job computes: the unit's nodes the runner has not settled (hits, mostly)
      const failed = new Set(
        unit.members.filter((m) => {
          const s = this.settledNodes.get(m)?.status;
          return s !== undefined && s !== 'cached' && s !== 'succeeded';
        }),
      );
      const members = unit.members.filter((m) => {
        if (this.settledNodes.has(m) && !tasks.has(m)) return false;
        return !this.unitAncestors(m, unit).some((a) => failed.has(a));
      });
      const rootKeys = unit.roots.map((r) => tasks.get(r)?.key ?? this.settledNodes.get(r)?.key ?? '');
      const expect = members.flatMap((m) => {
        const key = tasks.get(m)?.key;
        return key ? [`${m}=${key}`] : [];
      });
      const first = tasks.get(members[0] as string) ?? [...tasks.values()][0];
      const name =
        unit.members.length === 1
          ? jobName(node(unit.members[0] as string), rootKeys[0] as string)
          : unitJobName(unit.id, [unit.id, members, rootKeys]);
      const logKey = rootKeys.find((k) => k !== '') ?? (first?.key as string);
      return { pending, members, expect, name, logKey, runId: first?.runId as string };
    });
    const first = plans[0] as (typeof plans)[number];
    const cpus = first.pending.unit.resources.cpus ?? 1;
    const args = scheduler.resourceArgs(first.pending.unit.resources);
    const env = this.options.env ? { env: this.options.env } : {};
    const makeJob = (plan: (typeof plans)[number], id: string, adopted: boolean, logKey: string): Job => {
      let end!: (status: JobStatus) => void;
      const ended = new Promise<JobStatus>((resolve) => {
        end = resolve;
      });
      const job: Job = {
        id,
        unit: plan.pending.unit,
        log: this.logPath(logKey, id),
        offset: 0,
        partial: '',
        tail: [],
        missing: 0,
        members: new Map(plan.members.map((m) => [m, { id: m, buffered: [], settled: false }])),
        adopted,
        ended,
        end(status) {
          job.status = status;
          end(status);
        },
      };
      if (!adopted) this.submitted.set(id, plan.members.join(' '));
      return job;
    };

    const submit = async (): Promise<Job[]> => {
      if (plans.length === 1) {
        const plan = first;
        const single = plan.members.length === 1 && plan.expect.length === 1;
        const earlier = (await scheduler.active(plan.name))[0];
        const id =
          earlier?.id ??
          (await scheduler.submit({
            name: plan.name,
            command: this.unitCommand(
              plan.members,
              single
                ? [(plan.expect[0] as string).slice((plan.expect[0] as string).lastIndexOf('=') + 1)]
                : plan.expect,
              cpus,
              plan.runId,
            ),
            cwd: this.options.cwd,
            log: this.logPath(plan.logKey, JOB_ID),
            args,
            ...env,
          }));
        if (earlier)
          for (const task of plan.pending.tasks.values())
            task.channels.log.info(
              `adopting ${this.name} job ${id} (submitted earlier for the same key) instead of submitting again`,
            );
        return [makeJob(plan, id, earlier !== undefined, plan.logKey)];
      }
      // one job array: task i computes unit i
      const name = unitJobName(
        `${node(first.members[0] as string).stageId}-array`,
        plans.map((p) => p.name),
      );
      const active = await scheduler.active(name);
      let ids: string[];
      let adopted = false;
      if (active.length > 0) {
        adopted = true;
        const base = (active[0] as JobStatus).id.split('_')[0];
        ids = plans.map((_, i) => `${base}_${i}`);
        plans.forEach((plan, i) => {
          for (const task of plan.pending.tasks.values())
            task.channels.log.info(
              `adopting ${this.name} job ${ids[i]} (a task of an array submitted earlier for the same keys) instead of submitting again`,
            );
        });
      } else {
        const units = JSON.stringify(plans.map((p) => p.members));
        ids = await (scheduler.submitArray as NonNullable<BatchScheduler['submitArray']>)(
          {
            name,
            command: this.unitCommand(
              ['--units', units, '--pick', ARRAY_INDEX],
              plans.flatMap((p) => p.expect),
              cpus,
              first.runId,
            ),
            cwd: this.options.cwd,
            log: this.logPath(first.logKey, JOB_ID),
            args,
            ...env,
          },
          plans.length,
        );
      }
      return plans.map((plan, i) => makeJob(plan, ids[i] as string, adopted, first.logKey));
    };

    // at most `maxJobs` jobs in the queue: a slot is held from submission until the job ends
    let made!: (jobs: Promise<Job[]>) => void;
    const jobs = new Promise<Job[]>((resolve) => {
      made = resolve;
    });
    void this.limit(async () => {
      const submitting = submit();
      made(submitting);
      const list = await submitting;
      for (const job of list) this.watch(job);
      await Promise.all(list.map((job) => job.ended));
    }).catch(() => {});
    plans.forEach((plan, i) => {
      plan.pending.members = new Set(plan.members);
      // a failed submission fails every node waiting for it
      plan.pending.launched(jobs.then((made) => made[i] as Job));
    });
  }

  /** Members of `unit` that `id` reads from, directly or not. */
  private unitAncestors(id: string, unit: JobUnit): string[] {
    const inUnit = new Set(unit.members);
    const found = new Set<string>();
    const visit = (n: string) => {
      const node = this.graph?.nodes.get(n);
      if (!node) return;
      for (const wired of Object.values(node.inputs))
        for (const ref of Array.isArray(wired) ? wired : [wired])
          if (inUnit.has(ref.node) && !found.has(ref.node)) {
            found.add(ref.node);
            visit(ref.node);
          }
    };
    visit(id);
    return [...found];
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

  private unwatch(job: Job): void {
    if (!this.watched.has(job.id)) return;
    this.watched.delete(job.id);
    this.ended(job, { id: job.id, name: '', state: 'ABANDONED', reason: 'this run was interrupted' });
  }

  private ended(job: Job, status: JobStatus): void {
    job.end(status);
    for (const member of job.members.values()) this.settle(job, member);
  }

  private watch(job: Job): void {
    this.watched.set(job.id, job);
    this.polling ??= this.pollLoop().finally(() => {
      this.polling = undefined;
    });
  }

  private async pollLoop(): Promise<void> {
    const every = (this.options.settings.poll ?? 2) * 1000;
    let failures = 0;
    let lastPoll = Date.now();
    while (this.watched.size > 0) {
      await sleep(Math.min(LOG_READ_MS, every));
      for (const job of [...this.watched.values()]) await this.readLog(job);
      if (Date.now() - lastPoll < every) continue;
      lastPoll = Date.now();
      const ids = [...this.watched.keys()];
      let states: Map<string, JobStatus>;
      try {
        states = await this.options.scheduler.poll(ids);
        failures = 0;
      } catch (error) {
        if (++failures < FAILED_POLLS) continue;
        for (const job of this.watched.values())
          for (const member of job.members.values()) member.waiter?.reject(error as Error);
        this.watched.clear();
        return;
      }
      for (const id of ids) {
        const job = this.watched.get(id);
        if (!job) continue;
        await this.readLog(job);
        const status = states.get(id);
        if (status && !isFinished(status.state)) {
          job.missing = 0;
          continue;
        }
        if (!status && ++job.missing < MISSING_POLLS) continue;
        this.watched.delete(id);
        this.ended(
          job,
          status ?? { id, name: '', state: 'UNKNOWN', reason: 'the scheduler no longer knows the job' },
        );
      }
    }
  }

  /** Reads what the job appended to its log since the last read; relays `@serx` lines, keeps the rest as tail. */
  private async readLog(job: Job): Promise<void> {
    let text: string;
    try {
      const file = await open(job.log, 'r');
      try {
        const { size } = await file.stat();
        if (size <= job.offset) return;
        const buffer = Buffer.alloc(size - job.offset);
        await file.read(buffer, 0, buffer.length, job.offset);
        job.offset = size;
        text = job.partial + buffer.toString('utf8');
      } finally {
        await file.close();
      }
    } catch {
      return; // not created yet (pending job)
    }
    const lines = text.split('\n');
    job.partial = lines.pop() ?? '';
    const only = job.members.size === 1 ? [...job.members.values()][0] : undefined;
    for (const line of lines) {
      const parsed = parseJobLine(line);
      if (!parsed) {
        if (!line.trim()) continue;
        job.tail.push(line);
        if (job.tail.length > TAIL_LINES) job.tail.shift();
        continue;
      }
      const member = parsed.id === undefined ? only : job.members.get(parsed.id);
      if (!member) continue;
      if (parsed.t === 'done') member.done = parsed;
      if (member.relay) member.relay.relay(parsed);
      else member.buffered.push(parsed);
      if (parsed.t === 'done') this.settle(job, member);
    }
  }
}
