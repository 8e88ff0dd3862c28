/**
 * `@serx/core/shards`: what a plugin needs to make a stage shardable (docs/scaling.md, "Sharded
 * stages"). A separate entry point from `@serx/core`, so that a plugin module that registers shard
 * contracts does not change the code (and cache key) of the stages themselves.
 */
export {
  defineShards,
  type ShardContract,
  type ShardOutput,
  type ShardRange,
  shardableStages,
  shardContractOf,
} from '../../plugins/shard-contract.ts';

/**
 * Runs a shardable stage on a context as shards and a merge, in this thread: for a plugin's tests
 * of its shard contract. Loaded on call, so that a plugin module importing `defineShards` stays light.
 */
export async function runStageSharded<P, I extends InputSpecs>(
  stage: StageDefinition<P, I>,
  ctx: StageContext<P, I>,
  setting: ShardSetting,
): Promise<StageResult | undefined> {
  return (await import('./in-context.ts')).runStageSharded(stage, ctx, setting);
}

import type { InputSpecs, StageContext, StageDefinition, StageResult } from '../../contract.ts';
import type { ShardSetting } from './plan.ts';

export { type ShardSetting, shardLabel, shardRanges } from './plan.ts';
