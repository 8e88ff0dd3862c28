import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cache } from '../../cache/cache.ts';
import { deserializeError, SerxError } from '../../errors.ts';
import type { GraphNode } from '../../graph/types.ts';
import { shardContractOf } from '../../plugins/shard-contract.ts';
import { buildContext } from '../context.ts';
import type { NodeTask, StageTask } from '../executor.ts';
import {
  ARRAY_INDEX,
  type BatchJob,
  type BatchScheduler,
  isFinished,
  JOB_ID,
} from '../executors/batch-scheduler.ts';
import { parseJobLine } from '../executors/job-lines.ts';
import { progressSetter, shardDirName, shardLabel, shardRanges } from './plan.ts';
import { shardFailed, shardsRoot } from './run-sharded.ts';

export interface ShardJobsOptions {
  scheduler: BatchScheduler;
  cache: Cache;
  /** The `serx exec-node` command of a job, given its node arguments. */
  command(nodeArgs: string[]): string[];
  /** What the rest of a job needs: cwd, log path (with JOB_ID), resource args, env. */
  job: Omit<BatchJob, 'name' | 'command'>;
  /** Job name for these shards (adoption by a later run). */
  name: string;
  arrays: boolean;
  pollSeconds: number;
  /** Wait for jobs of an earlier run with the same name (default true). */
  adopt?: boolean;
  /** Records a job this run submitted (cancelled on a second Ctrl-C, in the run record). */
  submitted(id: string, what: string): void;
}

/**
 * The shards of a node that go to a batch scheduler: the missing ones as one job array (task i
 * runs `serx exec-node <spec> <node> --shards <list> --pick i`), or as separate jobs where the
 * scheduler has no arrays; resolves once every shard is in the key's work dir, after which the
 * node's own job merges. A failed shard rejects with its own error, naming shard and stage; the
 * finished shards stay for the next run.
 */
export async function runShardJobs(task: NodeTask, options: ShardJobsOptions): Promise<void> {
  const { node, key, channels, signal } = task;
  const contract = shardContractOf(node.definition);
  if (!contract || !node.shards || !task.data) return;
  const workDir = await options.cache.workDir(key);
  const data = { ...task.data, workDir };
  const rows = await contract.rows(buildContext(data, channels, signal));
  const ranges = shardRanges(rows, node.shards);
  const root = shardsRoot(workDir);
  const isDone = (i: number) =>
    stat(join(root, shardDirName(ranges[i] as (typeof ranges)[number]), 'shard.json')).then(
      () => true,
      () => false,
    );
  const missing: number[] = [];
  for (const range of ranges) if (!(await isDone(range.index))) missing.push(range.index);
  if (missing.length === 0) return;
  const { scheduler } = options;
  const list = missing.join(',');
  const active = options.adopt === false ? [] : await scheduler.active(options.name);
  if (active.length > 0) {
    // an earlier run's shard jobs for this key: wait for them, then submit what is still missing
    const adopted = active.map((a) => a.id);
    channels.log.info(
      `adopting the ${scheduler.name} jobs of its shards submitted earlier: ${adopted.join(', ')}`,
    );
    await watchJobs(task, options, adopted, rows, 0);
    return runShardJobs(task, { ...options, adopt: false });
  }
  let ids: string[];
  if (options.arrays && scheduler.submitArray && missing.length > 1) {
    ids = await scheduler.submitArray(
      {
        ...options.job,
        name: options.name,
        command: options.command(['--shards', list, '--pick', ARRAY_INDEX]),
      },
      missing.length,
    );
  } else {
    ids = [];
    for (let i = 0; i < missing.length; i++)
      ids.push(
        await scheduler.submit({
          ...options.job,
          name: options.name,
          command: options.command(['--shards', list, '--pick', String(i)]),
        }),
      );
  }
  for (const [i, id] of ids.entries())
    options.submitted(
      id,
      `${node.id} ${shardLabel(ranges[missing[i] as number] as (typeof ranges)[number])}`,
    );
  channels.log.info(
    `${ranges.length} shards of ${rows} rows: ${missing.length} to compute in ${scheduler.name} job${ids.length > 1 ? 's' : ''} ${ids.join(', ')}${missing.length < ranges.length ? ` (${ranges.length - missing.length} finished already)` : ''}`,
  );

  const before = ranges.filter((r) => !missing.includes(r.index)).reduce((n, r) => n + r.end - r.start, 0);
  const { states, errors, logs } = await watchJobs(task, options, ids, rows, before);
  const kept = (await Promise.all(ranges.map((r) => isDone(r.index)))).filter(Boolean).length;
  for (const [i, index] of missing.entries()) {
    if (await isDone(index)) continue;
    const range = ranges[index] as (typeof ranges)[number];
    const status = states.get(ids[i] as string);
    const error =
      errors.get(i) ??
      new SerxError(
        'JOB_FAILED',
        `${scheduler.name} job ${ids[i]} ended ${status?.state ?? 'UNKNOWN'}${status?.exitCode ? ` (exit ${status.exitCode})` : ''}${status?.reason ? ` (${status.reason})` : ''} without finishing the shard (log: ${logs[i]})`,
      );
    throw shardFailed({ node } as StageTask, range, error, kept);
  }
}

/** Waits for shard jobs to end, relaying their log lines, their progress as one bar; what they reported. */
async function watchJobs(
  task: NodeTask,
  options: ShardJobsOptions,
  ids: string[],
  rows: number,
  before: number,
) {
  const { node, channels, signal } = task;
  const { scheduler } = options;
  // wait, relaying each shard job's log lines and its progress as one bar
  const logs = ids.map((id) => options.job.log.replaceAll(JOB_ID, id));
  const offsets = ids.map(() => 0);
  const partial = ids.map(() => '');
  const first = ids.map(() => -1);
  const own = ids.map(() => 0);
  const errors = new Map<number, ReturnType<typeof deserializeError>>();
  const read = async (i: number) => {
    const file = await open(logs[i] as string, 'r').catch(() => undefined);
    if (!file) return;
    try {
      const { size } = await file.stat();
      if (size <= (offsets[i] as number)) return;
      const buffer = Buffer.alloc(size - (offsets[i] as number));
      await file.read(buffer, 0, buffer.length, offsets[i]);
      offsets[i] = size;
      const lines = (partial[i] + buffer.toString('utf8')).split('\n');
      partial[i] = lines.pop() ?? '';
      for (const text of lines) {
        const line = parseJobLine(text);
        if (!line || (line.id !== undefined && line.id !== node.id)) continue;
        if (line.t === 'log') channels.log[line.level](line.message);
        else if (line.t === 'error') errors.set(i, deserializeError(line.error));
        else if (line.t === 'progress') {
          if (first[i] === -1) first[i] = line.done;
          own[i] = line.done - (first[i] as number);
        }
      }
    } finally {
      await file.close();
    }
  };
  const onAbort = () => void scheduler.cancel(ids).catch(() => {});
  signal.addEventListener('abort', onAbort, { once: true });
  const set = progressSetter(channels.progress);
  const states = new Map<string, { state: string; exitCode?: string; reason?: string }>();
  const unseen = new Map<string, number>();
  try {
    let last = 0;
    while (states.size < ids.length || [...states.values()].some((s) => !isFinished(s.state))) {
      await sleep(250);
      signal.throwIfAborted();
      for (let i = 0; i < ids.length; i++) await read(i);
      const ended = [...states.values()].filter((s) => isFinished(s.state)).length;
      set(
        own.reduce((a, b) => a + b, before),
        rows,
        `${ids.length} shard jobs: ${ended} ended`,
      );
      if (Date.now() - last < options.pollSeconds * 1000) continue;
      last = Date.now();
      const polled = await scheduler.poll(ids);
      for (const id of ids) {
        const status = polled.get(id);
        if (status) {
          states.set(id, status);
          unseen.delete(id);
        } else if (states.has(id) || (unseen.get(id) ?? 0) >= 5) {
          // gone from the scheduler's answer (or never in it, five polls running): ended, unknown how
          states.set(id, { state: 'UNKNOWN', reason: 'the scheduler no longer knows the job' });
        } else unseen.set(id, (unseen.get(id) ?? 0) + 1);
      }
    }
    for (let i = 0; i < ids.length; i++) await read(i);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return { states, errors, logs };
}

/** The job name of a node's shards: its key and the shards it computes (a later run adopts it). */
export function shardJobName(node: GraphNode, key: string): string {
  return `serx-${key.slice(0, 16)}-${node.id.replace(/[^\w.=-]/g, '_')}-shards`;
}
