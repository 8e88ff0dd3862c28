/**
 * Sharded stages (docs/scaling.md, "Sharded stages"): a stage that computes the same thing for each
 * of its input rows (utterances, files) may declare a shard contract, and a spec node then says
 * `shards: N` or `shardSize: K`. The runner splits the rows into contiguous ranges, computes each
 * range into its own directory in the cache's work area (`run` below, one unit per range: a child
 * process, a worker, a task of a job array), then merges them in order into the node's outputs
 * (`merge`). The merged output is what `run(ctx)` on all rows writes, byte for byte, and the cache
 * key is the unsharded key: sharding is how a node is executed, not what it computes.
 *
 * The contract is registered beside the stage, by the plugin (`defineShards(stage, contract)`
 * from `@serx/core/shards`, e.g. in its plugin module), never in the stage's own module: the
 * stage's code and cache key do not change when it becomes shardable.
 */
import type { InputSpecs, Json, StageContext, StageDefinition, StageResult } from '../contract.ts';
import { recordDefiningModule } from '../defining-module.ts';
import { SerxError } from '../errors.ts';

/** One contiguous range of rows: `[start, end)`, shard `index` of `count`. */
export interface ShardRange {
  index: number;
  count: number;
  start: number;
  end: number;
}

/** A finished shard, as the merge sees it. */
export interface ShardOutput extends ShardRange {
  /** The shard's directories, one per declared output of the stage (what `run` wrote into). */
  outputs: { [name: string]: string };
  /** What the shard's `run` returned (JSON), `null` when nothing. */
  result: Json;
  /** When the shard started computing, and for how long (ms). */
  startedAt: string;
  durationMs: number;
}

export interface ShardContract<P = any, I extends InputSpecs = InputSpecs> {
  /** How many rows the stage computes with these inputs (e.g. the lines of the utterance list). Cheap. */
  rows(ctx: StageContext<P, I>): Promise<number>;
  /**
   * Computes rows `[range.start, range.end)` into `ctx.outputs` (fresh directories of this shard,
   * in the cache's work area). `ctx.workDir` is the shard's own. Returns JSON for the merge.
   */
  run(ctx: StageContext<P, I>, range: ShardRange): Promise<Json | void>;
  /**
   * Writes into `ctx.outputs` what `run(ctx)` on all rows would write, from the shards (in row
   * order), and returns what it would return.
   */
  merge(ctx: StageContext<P, I>, shards: readonly ShardOutput[]): Promise<StageResult | void>;
}

// One registry per process, whichever copy of this module a plugin reached it through.
const REGISTRY = Symbol.for('serx.shard-contracts');
function registry(): Map<string, ShardContract> {
  const scope = globalThis as { [REGISTRY]?: Map<string, ShardContract> };
  scope[REGISTRY] ??= new Map();
  return scope[REGISTRY];
}

/**
 * Makes `stage` shardable over its rows. Call it when the plugin loads (its plugin module), in
 * every process that runs the stage. Returns the stage.
 */
export function defineShards<P, I extends InputSpecs>(
  stage: StageDefinition<P, I>,
  contract: ShardContract<P, I>,
): StageDefinition<P, I> {
  for (const fn of ['rows', 'run', 'merge'] as const)
    if (typeof contract[fn] !== 'function')
      throw new SerxError('PLUGIN_INVALID', `stage '${stage.name}': shard contract lacks ${fn}()`);
  registry().set(stage.name, contract as ShardContract);
  return stage;
}

/**
 * Declares a shard contract in the module that calls it, and records that module: a stage's
 * `codeDependencies` can then name the contract, so that the contract's code (and what it imports,
 * its lazily imported shard runner included) is in the stage's cache key, as the stage's own code
 * is. The key stays the same sharded or not.
 */
export function defineShardContract<P, I extends InputSpecs>(
  contract: ShardContract<P, I>,
): ShardContract<P, I> {
  return recordDefiningModule(contract);
}

/** The shard contract of a stage, if it has one. */
export function shardContractOf(definition: Pick<StageDefinition, 'name'>): ShardContract | undefined {
  return registry().get(definition.name);
}

/** Names of the stages with a shard contract in this process, sorted. */
export function shardableStages(): string[] {
  return [...registry().keys()].sort();
}

/** A node's sharding, from its spec (`shards: N` or `shardSize: K`). */
export type ShardSetting = { count: number } | { size: number };

/**
 * Contiguous ranges covering `rows`: `count` shards (sizes differ by at most one, the larger
 * first), or shards of `size` rows (the last one shorter). Never an empty shard: more shards
 * than rows gives one shard per row, and no rows gives one empty shard (the merge still writes
 * the stage's empty output).
 */
export function shardRanges(rows: number, setting: ShardSetting): ShardRange[] {
  if ('size' in setting) {
    const count = Math.max(1, Math.ceil(rows / setting.size));
    return Array.from({ length: count }, (_, index) => ({
      index,
      count,
      start: index * setting.size,
      end: Math.min(rows, (index + 1) * setting.size),
    }));
  }
  const count = Math.max(1, Math.min(setting.count, rows));
  const base = Math.floor(rows / count);
  const extra = rows % count;
  const ranges: ShardRange[] = [];
  let start = 0;
  for (let index = 0; index < count; index++) {
    const end = start + base + (index < extra ? 1 : 0);
    ranges.push({ index, count, start, end });
    start = end;
  }
  return ranges;
}

/** `shard 2/4 (rows 1213–2424)`, 1-based for people. */
export function shardLabel(range: ShardRange): string {
  return `shard ${range.index + 1}/${range.count} (rows ${range.start + 1}–${range.end})`;
}
