import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Json, StageResult } from '../../contract.ts';
import { formatError, SerxError, toSerxError } from '../../errors.ts';
import { type ShardOutput, type ShardRange, shardContractOf } from '../../plugins/shard-contract.ts';
import { buildContext, type ContextChannels } from '../context.ts';
import type { StageExecutor, StageTask } from '../executor.ts';
import { progressSetter, type ShardSetting, shardDirName, shardLabel, shardRanges } from './plan.ts';

const SHARD_FILE = 'shard.json';

/** Where a sharded execution keeps its finished shards: `<work dir of the key>/shards/rows-<start>-<end>/`. */
export function shardsRoot(workDir: string): string {
  return join(workDir, 'shards');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** A finished shard's record, or undefined while it is not done. */
async function finishedShard(
  root: string,
  range: ShardRange,
  outputs: readonly string[],
): Promise<ShardOutput | undefined> {
  const dir = join(root, shardDirName(range));
  const text = await readFile(join(dir, SHARD_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const done = JSON.parse(text) as { result: Json; startedAt: string; durationMs: number };
  return {
    ...range,
    outputs: Object.fromEntries(outputs.map((name) => [name, join(dir, 'out', name)])),
    result: done.result,
    startedAt: done.startedAt,
    durationMs: done.durationMs,
  };
}

/** Progress of all shards as one bar; each shard's own `total`/`tick` counts in its slot. */
function shardProgress(channels: ContextChannels, ranges: readonly ShardRange[], done: ReadonlySet<number>) {
  const totals = ranges.map((r) => r.end - r.start);
  const dones = ranges.map((r, i) => (done.has(i) ? r.end - r.start : 0));
  const running = new Set<number>();
  const finished = new Set(done);
  const set = progressSetter(channels.progress);
  const report = () => {
    const sum = (list: number[]) => list.reduce((a, b) => a + b, 0);
    set(
      sum(dones),
      sum(totals),
      `${ranges.length} shards: ${finished.size} done${running.size ? `, ${running.size} running` : ''}`,
    );
  };
  return {
    report,
    start(i: number) {
      running.add(i);
      report();
    },
    end(i: number, ok: boolean) {
      running.delete(i);
      if (ok) finished.add(i);
      report();
    },
    channels(i: number): ContextChannels {
      const tag = `${shardLabel(ranges[i] as ShardRange)}: `;
      return {
        log: {
          debug: (m) => channels.log.debug(tag + m),
          info: (m) => channels.log.info(tag + m),
          warn: (m) => channels.log.warn(tag + m),
        },
        progress: {
          total(units) {
            totals[i] = units;
            dones[i] = 0;
            report();
          },
          tick(units = 1) {
            dones[i] = (dones[i] as number) + units;
            report();
          },
        },
        // a shard's partial metrics are not the stage's: the merge reports those
        metrics: { metric: () => {}, tag: channels.metrics.tag, artifact: () => {} },
      };
    },
  };
}

/** The error of a failed shard: its own code and cause, the shard and the stage named. */
export function shardFailed(task: StageTask, range: ShardRange, error: unknown, kept: number): SerxError {
  const serx = toSerxError(error);
  const { node } = task;
  return new SerxError(
    serx?.code ?? 'STAGE_FAILED',
    `stage '${node.id}' (${node.definition.name}), ${shardLabel(range)} failed: ${formatError(error)}${kept > 0 ? ` (${kept} finished shard${kept === 1 ? '' : 's'} kept for the next run)` : ''}`,
    { loc: node.loc, specPath: `stages.${node.stageId}`, cause: serx ?? error },
  );
}

export interface ShardedOptions {
  /** Compute only this shard (a task of a job array): no merge, resolves to undefined. */
  only?: number;
  /** How many shards run at once (default: the node's thread budget, each shard one thread). */
  concurrency?: number;
}

/**
 * Executes a sharded node through any stage executor: plans the ranges, computes each shard
 * that is not finished yet (a finished shard of an interrupted run is kept and not recomputed)
 * into the key's work dir, then the merge into the task's outputs. What it returns is the
 * stage's result, as `execute(task)` of the unsharded stage.
 */
export async function runSharded(
  executor: StageExecutor,
  task: StageTask,
  setting: ShardSetting,
  options: ShardedOptions = {},
): Promise<StageResult | undefined> {
  const { node, data, channels, signal } = task;
  const contract = shardContractOf(node.definition);
  if (!contract)
    throw new SerxError('INTERNAL', `stage '${node.definition.name}' has no shard contract in this process`);
  const rows = await contract.rows(buildContext(data, channels, signal));
  const ranges = shardRanges(rows, setting);
  const root = shardsRoot(data.workDir);
  await mkdir(root, { recursive: true });
  const names = Object.keys(node.definition.outputs);
  const finished = new Map<number, ShardOutput>();
  for (const range of ranges) {
    const done = await finishedShard(root, range, names);
    if (done) finished.set(range.index, done);
  }
  const wanted = options.only === undefined ? ranges : ranges.filter((r) => r.index === options.only);
  const pending = wanted.filter((r) => !finished.has(r.index));
  const progress = shardProgress(channels, ranges, new Set(finished.keys()));
  channels.log.info(
    `${ranges.length} shard${ranges.length === 1 ? '' : 's'} of ${rows} rows` +
      (options.only === undefined ? '' : `, computing shard ${options.only + 1} only`) +
      (finished.size > 0 ? `: ${finished.size} finished already` : ''),
  );
  const concurrency = Math.max(1, Math.min(pending.length, options.concurrency ?? data.threads));
  const threads = Math.max(1, Math.floor(data.threads / concurrency));
  const failures: { range: ShardRange; error: unknown }[] = [];
  const queue = [...pending];
  const worker = async () => {
    for (let range = queue.shift(); range; range = queue.shift()) {
      if (signal.aborted) return;
      const name = shardDirName(range);
      const tmp = join(root, `${name}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
      const outputs = Object.fromEntries(names.map((n) => [n, join(tmp, 'out', n)]));
      for (const dir of Object.values(outputs)) await mkdir(dir, { recursive: true });
      const workDir = join(root, `${name}.work`);
      await mkdir(workDir, { recursive: true });
      const startedAt = new Date().toISOString();
      const started = Date.now();
      progress.start(range.index);
      try {
        const returned = (await executor.execute({
          ...task,
          data: { ...data, outputs, workDir, threads, unit: { kind: 'shard', range } },
          channels: progress.channels(range.index),
        })) as { shard?: Json } | undefined;
        signal.throwIfAborted();
        const durationMs = Date.now() - started;
        await writeFile(
          join(tmp, SHARD_FILE),
          `${JSON.stringify({ range, result: returned?.shard ?? null, startedAt, durationMs })}\n`,
        );
        // published last, by rename: a directory named for its rows is a finished shard
        await rename(tmp, join(root, name)).catch(async (error: NodeJS.ErrnoException) => {
          if (!(await exists(join(root, name, SHARD_FILE)))) throw error;
          await rm(tmp, { recursive: true, force: true }); // the same shard, finished elsewhere
        });
        await rm(workDir, { recursive: true, force: true });
        const done = await finishedShard(root, range, names);
        if (done) finished.set(range.index, done);
        progress.end(range.index, true);
        channels.log.info(`${shardLabel(range)} done in ${(durationMs / 1000).toFixed(1)} s`);
      } catch (error) {
        await rm(tmp, { recursive: true, force: true });
        progress.end(range.index, false);
        if (signal.aborted) return;
        failures.push({ range, error });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  signal.throwIfAborted();
  const failure = failures.sort((a, b) => a.range.index - b.range.index)[0];
  if (failure) throw shardFailed(task, failure.range, failure.error, finished.size);
  if (options.only !== undefined) return undefined;

  const shards = ranges.map((r) => finished.get(r.index) as ShardOutput);
  const mergeStarted = Date.now();
  channels.progress.total(rows, `merging ${ranges.length} shards`);
  const result = await executor.execute({
    ...task,
    data: {
      ...data,
      workDir: await mkdir(join(data.workDir, 'merge'), { recursive: true }).then(() =>
        join(data.workDir, 'merge'),
      ),
      unit: { kind: 'merge', shards },
    },
  });
  channels.log.info(`merged ${ranges.length} shards in ${((Date.now() - mergeStarted) / 1000).toFixed(1)} s`);
  return result;
}
