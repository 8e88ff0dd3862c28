/** A stage's `shards: N` / `shardSize: K` in a spec (docs/scaling.md, "Sharded stages"). */
import type { StageDefinition } from '../contract.ts';
import { ErrorCodes } from '../errors.ts';
import { type ShardSetting, shardableStages, shardContractOf } from '../plugins/shard-contract.ts';

export type { ShardSetting };

import type { StageNode } from './document.ts';
import type { IssueList } from './spec-error.ts';

export const SHARD_KEYS = ['shards', 'shardSize'] as const;

/**
 * The node's sharding, or undefined when it has none. SPEC_INVALID (at the key) for a value that is
 * not a positive integer, for both keys at once, and for a stage without a shard contract.
 */
export function readShardSetting(
  stage: StageNode,
  definition: StageDefinition,
  issues: IssueList,
): ShardSetting | undefined {
  const found = SHARD_KEYS.flatMap((key) => {
    const entry = stage.map.entries.get(key);
    return entry ? [{ key, entry }] : [];
  });
  if (found.length === 0) return undefined;
  const issue = (message: string, key: string, loc = stage.map.entries.get(key)?.keyLoc ?? stage.keyLoc) =>
    issues.add({ code: ErrorCodes.SPEC_INVALID, message, loc, specPath: `stages.${stage.id}.${key}` });
  if (found.length > 1) {
    issue("give 'shards' (how many) or 'shardSize' (rows per shard), not both", 'shardSize');
    return undefined;
  }
  const { key, entry } = found[0] as (typeof found)[number];
  if (!shardContractOf(definition)) {
    const shardable = shardableStages();
    issue(
      `stage '${stage.id}' uses ${definition.name}, which cannot be sharded (shardable stages: ${shardable.length ? shardable.join(', ') : 'none loaded'})`,
      key,
    );
    return undefined;
  }
  const value = entry.value;
  if (
    value.kind !== 'scalar' ||
    typeof value.value !== 'number' ||
    !Number.isInteger(value.value) ||
    value.value < 1
  ) {
    issue(
      `must be a positive integer (${key === 'shards' ? 'the number of shards' : 'rows per shard'})`,
      key,
      value.loc,
    );
    return undefined;
  }
  return key === 'shards' ? { count: value.value } : { size: value.value };
}
