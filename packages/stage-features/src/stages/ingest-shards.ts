/**
 * The shard contract of `features:ingest` (docs/scaling.md, "Sharded stages"), registered by the
 * plugin module, not by ingest.ts (the stage's code and cache key stay what they were). The rows
 * are the utterances the corpus listing selects (after `limit`/`perClass`/`perSpeaker`); a shard
 * probes its range, the merge writes the utterance list of all of them in order, as unsharded.
 */

import { defineShardContract, type ShardContract } from '@serx/core/shards';
import type { IngestParams } from './ingest.ts';

type IngestInputs = Record<never, never>;

// recorded: the stage's codeDependencies name this contract, so its code is in the stage's key
export const ingestShards: ShardContract<IngestParams, IngestInputs> = defineShardContract({
  async rows(ctx) {
    return (await import('./ingest-shards-run.ts')).selectedRows(ctx).then((rows) => rows.length);
  },
  async run(ctx, range) {
    await (await import('./ingest-shards-run.ts')).runIngestShard(ctx, range);
  },
  async merge(ctx, shards) {
    return (await import('./ingest-shards-run.ts')).mergeIngestShards(
      ctx,
      shards.map((s) => s.outputs.utterances as string),
    );
  },
});
