/**
 * `@serx/core/shards`: what a plugin needs to make a stage shardable (docs/scaling.md, "Sharded
 * stages"). A separate, light entry point: a plugin module that registers shard contracts loads
 * neither core's index (so the stages' code and cache keys stay) nor the runner.
 * `@serx/core/shards/testing` has `runStageSharded`, for a plugin's tests of its contract.
 */
export {
  defineShardContract,
  defineShards,
  type ShardContract,
  type ShardOutput,
  type ShardRange,
  type ShardSetting,
  shardableStages,
  shardContractOf,
  shardLabel,
  shardRanges,
} from './shard-contract.ts';
