import type { InputSpecs, StageContext, StageDefinition, StageResult } from '../../contract.ts';
import type { GraphNode } from '../../graph/types.ts';
import { InProcessExecutor } from '../executor.ts';
import type { ShardSetting } from './plan.ts';
import { runSharded } from './run-sharded.ts';

/**
 * Runs a shardable stage on a context as shards and a merge, in this thread (its shards one after
 * another unless `ctx.threads` allows more): what the runner does for a node with `shards:`, for a
 * plugin's tests of its shard contract (`ctx.workDir` holds the shards).
 */
export function runStageSharded<P, I extends InputSpecs>(
  stage: StageDefinition<P, I>,
  ctx: StageContext<P, I>,
  setting: ShardSetting,
): Promise<StageResult | undefined> {
  const node = {
    id: ctx.id,
    stageId: ctx.id,
    definition: stage,
    loc: { file: '<test>', line: 1, col: 1 },
  } as unknown as GraphNode;
  const { log, progress, metrics, signal, ...data } = ctx;
  return runSharded(
    new InProcessExecutor(),
    {
      node,
      key: '',
      data: data as unknown as Parameters<typeof runSharded>[1]['data'],
      channels: { log, progress, metrics },
      signal,
    },
    setting,
  );
}
