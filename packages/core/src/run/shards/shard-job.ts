import type { Cache } from '../../cache/cache.ts';
import { SerxError } from '../../errors.ts';
import type { Graph } from '../../graph/types.ts';
import { shardContractOf } from '../../plugins/shard-contract.ts';
import type { Tracker } from '../../tracking/types.ts';
import { contextChannels } from '../context.ts';
import type { EmitEvent } from '../events.ts';
import { InProcessExecutor, type StageExecutor } from '../executor.ts';
import { upstreamIds } from '../node-key.ts';
import { artifactsOf, contextData, type NodeOutcome } from '../node-outcome.ts';
import { planGraph } from '../plan.ts';
import { runSharded } from './run-sharded.ts';

/**
 * The body of one task of a node's shard array (`serx exec-node <spec> <node> --shards <list>
 * --pick <i>`): computes shard `index` into the key's work dir, unless it is there already or the
 * entry is published. Its upstream must be published. Never merges: the node's own job does.
 */
export async function runShardInJob(
  graph: Graph,
  cache: Cache,
  nodeId: string,
  index: number,
  options: {
    threads: number;
    signal: AbortSignal;
    emit: EmitEvent;
    tracker: Tracker;
    executor?: StageExecutor;
    expectKey?: string;
  },
): Promise<'published' | 'computed'> {
  const node = graph.nodes.get(nodeId);
  if (!node?.shards || !shardContractOf(node.definition))
    throw new SerxError('USAGE', `exec-node --shards: node '${nodeId}' is not sharded in this spec`);
  const plan = await planGraph(graph, cache, { only: [nodeId] });
  const planned = plan.nodes.find((n) => n.id === nodeId);
  const key = planned?.key;
  if (!key) throw new SerxError('STAGE_FAILED', `exec-node ${nodeId}: its upstream is not in the cache`);
  if (options.expectKey && options.expectKey !== key)
    throw new SerxError(
      'STAGE_FAILED',
      `exec-node ${nodeId}: its key here is ${key} but the submitter computed ${options.expectKey}: the job sees other inputs (environment variables, corpus files, code, plugin versions) than the submitting host`,
    );
  if (planned.status === 'hit') return 'published';
  const upstream = new Map<string, NodeOutcome>();
  for (const id of upstreamIds(node)) {
    const up = plan.nodes.find((n) => n.id === id);
    const found = up?.key ? await cache.lookup(up.key) : undefined;
    if (found?.status !== 'hit')
      throw new SerxError('STAGE_FAILED', `exec-node ${nodeId}: upstream '${id}' is not in the cache`);
    upstream.set(id, {
      record: { id, stageId: id, stage: '', status: 'cached' },
      artifacts: artifactsOf(
        graph.nodes.get(id) as NonNullable<ReturnType<typeof graph.nodes.get>>,
        found.path,
        found.manifest,
      ),
    });
  }
  await runSharded(
    options.executor ?? new InProcessExecutor(),
    {
      node,
      key,
      data: contextData(node, upstream, {
        outputs: {},
        workDir: await cache.workDir(key),
        threads: options.threads,
        heldOut: graph.spec.heldOut,
      }),
      channels: contextChannels(node.id, options.emit, options.tracker, []),
      signal: options.signal,
    },
    node.shards,
    { only: index },
  );
  return 'computed';
}
