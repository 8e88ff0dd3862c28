import { SerxError, toSerxError } from '../errors.ts';
import type { GraphNode } from '../graph/types.ts';
import { contextChannels } from './context.ts';
import type { NodeExecutor, NodeJob } from './executor.ts';
import { failedOutcome } from './failed-outcome.ts';
import { artifactsOf, contextData, type NodeEnv, type NodeOutcome } from './node-outcome.ts';
import type { StageRecord } from './record.ts';
import { stageFailed } from './stage-errors.ts';

/**
 * Has a node executor (a cluster job) compute and publish a missing node, then reads the
 * published entry. The remote side holds the key's lock while it computes; this process does not,
 * so no slot or lock of the runner limits how many jobs wait in the cluster's queue.
 */
export async function computeRemote(
  node: GraphNode,
  env: NodeEnv,
  executor: NodeExecutor,
  record: StageRecord,
  key: string,
  upstream?: ReadonlyMap<string, NodeOutcome>,
): Promise<NodeOutcome> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  env.started({ ...record, startedAt });
  env.emit({
    type: 'state',
    id: node.id,
    state: 'running',
    key,
    detail: `submitted to ${env.executor.name}`,
  });
  env.tracker.stageStarted({ node, key, cacheHit: false });
  const artifacts: string[] = [];
  let job: NodeJob | undefined;
  try {
    job = await executor.computeNode({
      node,
      key,
      runId: env.runId,
      channels: contextChannels(node.id, env.emit, env.tracker, artifacts),
      signal: env.signal,
      ...(upstream
        ? {
            data: contextData(node, upstream, {
              outputs: {},
              workDir: '',
              threads: env.threads(node),
              heldOut: env.heldOut,
            }),
          }
        : {}),
    });
    const found = await env.cache.lookup(key);
    if (found.status !== 'hit')
      throw new SerxError(
        'JOB_FAILED',
        `stage '${node.id}' (${node.definition.name}): ${env.executor.name} job ${job.jobId} completed but no cache entry ${key.slice(0, 12)} is published (${found.status === 'corrupt' ? found.reason : 'missing'})`,
        { loc: node.loc, specPath: `stages.${node.stageId}` },
      );
    const durationMs = Date.now() - started;
    const status = job.cached ? 'cached' : 'succeeded';
    for (const path of artifacts) env.tracker.artifact(node.id, path);
    env.tracker.stageFinished(node.id, status, { metrics: found.manifest.metrics, durationMs });
    env.emit({
      type: 'state',
      id: node.id,
      state: status,
      key,
      durationMs,
      ...(job.cached ? { detail: job.detail ?? 'computed meanwhile by another run with the same key' } : {}),
    });
    return {
      record: {
        ...record,
        status,
        startedAt,
        durationMs,
        ...(job.cached ? { waited: true } : {}),
        metrics: found.manifest.metrics,
        outputs: Object.fromEntries(Object.entries(found.manifest.outputs).map(([n, o]) => [n, o.hash])),
        job: jobRecord(env, job),
      },
      artifacts: artifactsOf(node, found.path, found.manifest),
    };
  } catch (error) {
    // a job's own failure (state, log tail) is already the message to show
    const wrap = (e: unknown) => {
      const serx = toSerxError(e);
      return serx?.code === 'JOB_FAILED' ? serx : stageFailed(node, e);
    };
    return failedOutcome(node, env, record, key, started, error, wrap, false);
  }
}

function jobRecord(env: NodeEnv, job: NodeJob): NonNullable<StageRecord['job']> {
  return {
    executor: env.executor.name,
    id: job.jobId,
    ...(job.nodes ? { nodes: job.nodes } : {}),
    ...(job.adopted ? { adopted: true } : {}),
    ...(job.group ? { group: job.group } : {}),
  };
}
