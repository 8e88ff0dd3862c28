/**
 * The shard contract of `ser:predict` (docs/scaling.md, "Sharded stages"), registered by the
 * plugin module, not by predict.ts (the stage's code and cache key stay what they were). Its rows
 * are the windows `runPredict` predicts one after another (`batchSize × 16` utterances of one input
 * store, length-bucketed inside): a shard predicts whole windows, so every utterance is predicted
 * in the same batch as unsharded and the merged store is the same bytes.
 */
import type { StageContext } from '@serx/core';
import { defineShardContract, type ShardContract } from '@serx/core/shards';
import type { PredictContext, PredictParams } from './predict.ts';

type PredictInputs = PredictContext extends StageContext<PredictParams, infer I> ? I : never;

// recorded: the stage's codeDependencies name this contract, so its code is in the stage's key
export const predictShards: ShardContract<PredictParams, PredictInputs> = defineShardContract({
  async rows(ctx) {
    return (await (await import('./predict-shards-run.ts')).predictWindows(ctx)).length;
  },
  async run(ctx, range) {
    await (await import('./predict-shards-run.ts')).runPredictShard(ctx, range);
  },
  async merge(ctx, shards) {
    return (await import('./predict-shards-run.ts')).mergePredictShards(
      ctx,
      shards.map((s) => s.outputs.predictions as string),
    );
  },
});
