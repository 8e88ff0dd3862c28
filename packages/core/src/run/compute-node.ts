import { faultPoint } from '../cache/fault.ts';
import type { StageResult } from '../contract.ts';
import type { GraphNode } from '../graph/types.ts';
import { shardContractOf } from '../plugins/shard-contract.ts';
import { contextChannels } from './context.ts';
import type { StageExecutor, StageTask } from './executor.ts';
import { failedOutcome } from './failed-outcome.ts';
import { artifactsOf, contextData, type NodeEnv, type NodeOutcome } from './node-outcome.ts';
import type { StageRecord } from './record.ts';
import { runSharded } from './shards/run-sharded.ts';
import { stageBrokeContract, stageFailed } from './stage-errors.ts';
import { checkStageResult } from './stage-result.ts';
import { createScratch, removeScratch, strayInStaging, takeStrayInTmp, tmpNames } from './stray-writes.ts';

/**
 * Runs a missing stage (the caller holds the key's lock) into a staging dir and publishes it.
 * A failure or interruption discards the staging dir and keeps the checkpoint dir.
 */
export async function compute(
  node: GraphNode,
  upstream: ReadonlyMap<string, NodeOutcome>,
  env: NodeEnv,
  executor: StageExecutor,
  record: StageRecord,
  key: string,
): Promise<NodeOutcome> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  env.started({ ...record, startedAt });
  env.emit({ type: 'state', id: node.id, state: 'running', key });
  env.tracker.stageStarted({ node, key, cacheHit: false });
  const staging = await env.cache.stage(key, Object.keys(node.definition.outputs));
  const artifacts: string[] = [];
  try {
    const workDir = await env.cache.workDir(key);
    const scratchDir = await createScratch(staging);
    const tmpBefore = await tmpNames(env.cache);
    faultPoint('stage-start');
    let result: StageResult;
    try {
      const execution: StageTask = {
        node,
        key,
        data: contextData(node, upstream, {
          outputs: staging.outputs,
          workDir,
          threads: env.threads(node),
          heldOut: env.heldOut,
        }),
        channels: contextChannels(node.id, env.emit, env.tracker, artifacts),
        signal: env.signal,
        scratchDir,
      };
      // a sharded node: its shards and their merge, through the same executor
      const returned: unknown =
        node.shards && shardContractOf(node.definition)
          ? await runSharded(executor, execution, node.shards)
          : await executor.execute(execution);
      result = checkStageResult(node, returned);
    } catch (error) {
      throw env.signal.aborted ? env.signal.reason : stageFailed(node, error);
    } finally {
      await removeScratch(staging);
    }
    env.signal.throwIfAborted();
    faultPoint('stage-done');
    const strayTmp = await takeStrayInTmp(env.cache, tmpBefore);
    if (strayTmp.length > 0)
      throw stageBrokeContract(
        node,
        `wrote outside its output directories: ${strayTmp.map((n) => env.cache.path('tmp', n)).join(', ')} (removed); write only into ctx.outputs.<name>, temp files into os.tmpdir()`,
      );
    const strayStaged = await strayInStaging(staging);
    if (strayStaged.length > 0)
      throw stageBrokeContract(
        node,
        `wrote outside its output directories: ${strayStaged.join(', ')} beside the outputs (${Object.keys(staging.outputs).join(', ')}); write only into ctx.outputs.<name>, temp files into os.tmpdir()`,
      );
    const outputs = Object.fromEntries(
      Object.entries(node.definition.outputs).map(([name, spec]) => [
        name,
        { type: spec.type, meta: result.meta?.[name] ?? {}, corpora: node.corpora },
      ]),
    );
    const durationMs = Date.now() - started;
    const manifest = await env.cache.publish(staging, {
      keyInput: record.keyInput as NonNullable<StageRecord['keyInput']>,
      producer: node.id,
      outputs,
      metrics: result.metrics ?? {},
      timing: { startedAt, finishedAt: new Date().toISOString(), durationMs },
      runId: env.runId,
    });
    await env.cache.removeWorkDir(key);
    faultPoint('workdir-removed');
    const entry = env.cache.entryPath(key);
    for (const path of artifacts)
      env.tracker.artifact(
        node.id,
        path.startsWith(staging.dir) ? entry + path.slice(staging.dir.length) : path,
      );
    env.tracker.stageFinished(node.id, 'succeeded', { metrics: manifest.metrics, durationMs });
    env.emit({ type: 'state', id: node.id, state: 'succeeded', key, durationMs });
    await (node.pin ? env.cache.pin(key, `${node.id} (spec pin: true)`) : undefined);
    return {
      record: {
        ...record,
        status: 'succeeded',
        startedAt,
        durationMs,
        metrics: manifest.metrics,
        outputs: Object.fromEntries(Object.entries(manifest.outputs).map(([n, o]) => [n, o.hash])),
      },
      artifacts: artifactsOf(node, entry, manifest),
    };
  } catch (error) {
    await env.cache.discard(staging);
    return failedOutcome(node, env, record, key, started, error, (e) => stageFailed(node, e), true);
  }
}
