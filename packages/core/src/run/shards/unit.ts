import type { StageDefinition, StageResult } from '../../contract.ts';
import { SerxError } from '../../errors.ts';
import { type ShardOutput, type ShardRange, shardContractOf } from '../../plugins/shard-contract.ts';
import { buildContext, type ContextChannels, type ContextData } from '../context.ts';

/** What an execution of a sharded node's unit computes: one shard's rows, or the merge. */
export type ShardUnit = { kind: 'shard'; range: ShardRange } | { kind: 'merge'; shards: ShardOutput[] };

/**
 * Runs what a stage task asks, wherever it runs (this thread, a worker, a stage process, a job):
 * the stage's `run(ctx)`, or, for a sharded node, one shard (`{ shard: <its JSON> }` comes back)
 * or the merge.
 */
export async function runStageUnit(
  definition: StageDefinition,
  data: ContextData,
  channels: ContextChannels,
  signal: AbortSignal,
): Promise<StageResult | undefined> {
  const { unit, ...plain } = data;
  const ctx = buildContext(plain, channels, signal);
  if (!unit) return (await definition.run(ctx)) ?? undefined;
  const contract = shardContractOf(definition);
  if (!contract)
    throw new SerxError(
      'INTERNAL',
      `stage '${definition.name}' has no shard contract in this process (its plugin registers it with defineShards when it loads)`,
    );
  if (unit.kind === 'merge') return (await contract.merge(ctx, unit.shards)) ?? undefined;
  const result = await contract.run(ctx, unit.range);
  return { shard: result ?? null } as StageResult;
}
