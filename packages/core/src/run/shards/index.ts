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
export { runStageSharded } from './in-context.ts';
export { type ShardSetting, shardLabel, shardRanges } from './plan.ts';
