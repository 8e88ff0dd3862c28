/**
 * The shard contract of `features:mfcc` (docs/scaling.md, "Sharded stages"), registered by the
 * plugin module, not by mfcc.ts: the stage's code, and so its cache key, stay what they were.
 *
 * A shard does the heavy part for its rows (decode + resample + MFCC, in the stage's worker
 * pool) and keeps the raw, un-normalised MFCCs in a feature store. The merge does the rest of
 * `runMfcc` over all rows in input order: the statistics (one float64 accumulation over every
 * frame, in order, as unsharded), the normalisation of every mode (per utterance, or speaker and
 * corpus statistics that need all rows first), the padding and the store, so the merged store and
 * statistics are byte for byte the unsharded ones. `mfcc-shards.test.ts` checks it.
 */
import type { Json, StageContext, StageResult } from '@serx/core';
import { defineShardContract, type ShardContract } from '@serx/core/shards';
import type { MfccContext, MfccParams } from './mfcc.ts';

type MfccInputs = MfccContext extends StageContext<MfccParams, infer I> ? I : never;

/** What a shard hands to the merge (besides its raw store). */
interface ShardReport {
  /** Durations of the rows it extracted, unrounded, in order (the stage's `audioSec` sums them). */
  durations: number[];
  /** Files it skipped under `onBadAudio: skip`, in order. */
  skipped: Json[];
}

// recorded: the stage's codeDependencies name this contract, so its code is in the stage's key
export const mfccShards: ShardContract<MfccParams, MfccInputs> = defineShardContract({
  async rows(ctx) {
    const { readUtterances } = await import('../corpora/utterances-file.ts');
    return (await readUtterances(ctx.inputs.utterances.path)).utterances.length;
  },
  async run(ctx, range) {
    const { runMfccShard } = await import('./mfcc-shards-run.ts');
    return (await runMfccShard(ctx, range)) as unknown as Json;
  },
  async merge(ctx, shards): Promise<StageResult> {
    const { mergeMfccShards } = await import('./mfcc-shards-run.ts');
    return mergeMfccShards(
      ctx,
      shards.map((s) => ({
        dir: s.outputs.features as string,
        report: s.result as unknown as ShardReport,
        startedAt: s.startedAt,
      })),
    );
  },
});

export type { ShardReport };
