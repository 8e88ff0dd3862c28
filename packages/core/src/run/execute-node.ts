import { hostname } from 'node:os';
import type { Lookup } from '../cache/cache.ts';
import { faultPoint } from '../cache/fault.ts';
import { cacheKey } from '../cache/key.ts';
import { UNREADABLE_LOCK_GRACE_MS } from '../cache/lock.ts';
import type { EntryManifest } from '../cache/manifest.ts';
import type { GraphNode } from '../graph/types.ts';
import { isNodeExecutor, type StageExecutor } from './executor.ts';
import { inputHashes, nodeCode, nodeFingerprint, nodeKeyInput } from './node-key.ts';
import { artifactsOf, type NodeEnv, type NodeOutcome } from './node-outcome.ts';
import type { StageRecord } from './record.ts';
import { readOnlyMiss, stageBrokeContract, stageFailed } from './stage-errors.ts';

export type { NodeEnv, NodeOutcome } from './node-outcome.ts';

function missingOutputs(node: GraphNode, manifest: EntryManifest): string[] {
  return Object.keys(node.definition.outputs).filter((name) => !manifest.outputs[name]);
}

async function checkedLookup(env: NodeEnv, node: GraphNode, key: string): Promise<Lookup> {
  const found = await env.cache.lookup(key, { verify: env.verify, keepCorrupt: !!env.cache.readOnly });
  if (found.status === 'corrupt') {
    env.emit({
      type: 'warning',
      id: node.id,
      message: `cache entry ${key.slice(0, 12)} of '${node.id}' is corrupt (${found.reason}); removed, recomputing`,
    });
  } else if (found.status === 'hit' && missingOutputs(node, found.manifest).length > 0) {
    env.emit({
      type: 'warning',
      id: node.id,
      message: `cache entry ${key.slice(0, 12)} of '${node.id}' lacks outputs ${missingOutputs(node, found.manifest).join(', ')}; removed, recomputing`,
    });
    await env.cache.removeEntry(key);
    return { status: 'miss' };
  }
  return found;
}

function hitOutcome(
  env: NodeEnv,
  node: GraphNode,
  record: StageRecord,
  hit: Extract<Lookup, { status: 'hit' }>,
  waited: boolean,
): NodeOutcome {
  const outputs = Object.fromEntries(Object.entries(hit.manifest.outputs).map(([n, o]) => [n, o.hash]));
  env.tracker.stageStarted({ node, key: record.key as string, cacheHit: true });
  env.tracker.stageFinished(node.id, 'cached', { metrics: hit.manifest.metrics, durationMs: 0 });
  env.emit({
    type: 'state',
    id: node.id,
    state: 'cached',
    key: record.key as string,
    ...(waited ? { detail: 'computed meanwhile by another run or stage with the same key' } : {}),
  });
  return {
    record: {
      ...record,
      status: 'cached',
      outputs,
      metrics: hit.manifest.metrics,
      ...(waited ? { waited } : {}),
    },
    artifacts: artifactsOf(node, hit.path, hit.manifest),
  };
}

/** Key → cache hit, or lock → recheck → execute → publish. Never throws for a stage failure. */
export async function executeNode(
  node: GraphNode,
  upstream: ReadonlyMap<string, NodeOutcome>,
  env: NodeEnv,
): Promise<NodeOutcome> {
  const base: StageRecord = {
    id: node.id,
    stageId: node.stageId,
    stage: node.definition.name,
    status: 'skipped',
  };
  let hashes: ReturnType<typeof inputHashes>;
  let fingerprint: string | undefined;
  let code: Awaited<ReturnType<typeof nodeCode>>;
  try {
    hashes = inputHashes(node, (ref) => upstream.get(ref.node)?.artifacts?.[ref.output]?.hash);
    if (!hashes) throw stageBrokeContract(node, 'was scheduled before its inputs were published');
    code = await nodeCode(node, env.code);
    fingerprint = await nodeFingerprint(node, env.signal, code);
  } catch (error) {
    if (env.signal.aborted) throw error; // the runner marks the node as interrupted
    const wrapped = stageFailed(node, error);
    env.emit({ type: 'state', id: node.id, state: 'failed', detail: wrapped.message });
    return {
      record: { ...base, status: 'failed', error: { code: wrapped.code, message: wrapped.message } },
      error: wrapped,
    };
  }
  const keyInput = nodeKeyInput(node, hashes, fingerprint, code);
  const key = cacheKey(keyInput);
  const record: StageRecord = { ...base, key, keyInput };
  const pin = async () => {
    if (node.pin && !env.cache.readOnly) await env.cache.pin(key, `${node.id} (spec pin: true)`);
  };

  // a job of this run computes the node already (a job group): what it reports is the outcome
  // (a node that may reuse an entry across a code change is decided here, below, as always)
  const jobs = isNodeExecutor(env.executor) ? env.executor : undefined;
  if (jobs?.claims?.(node.id) && !env.reusesAcrossCodeChange(node))
    return computeRemote(node, env, jobs, record, key, upstream);
  const found = await checkedLookup(env, node, key);
  if (found.status === 'hit') {
    await pin();
    // A run killed between publish and cleanup leaves the checkpoints behind; they are useless now.
    await env.cache.removeWorkDir(key);
    return hitOutcome(env, node, record, found, false);
  }
  // A miss. What follows is decided here, once, whatever computes the node: a read-only cache
  // fails it; `--reuse-across-code-change` may adopt an entry instead; and who holds the key's
  // lock: this process while it reuses or runs the stage (a stage executor), the job itself when a
  // node executor computes it (so a later run can adopt a job still running).
  if (env.cache.readOnly) {
    const error = readOnlyMiss(node, env.cache.dir, env.cache.readOnly, found.status === 'corrupt');
    env.emit({ type: 'state', id: node.id, state: 'failed', key, detail: error.message });
    return {
      record: { ...record, status: 'failed', error: { code: error.code, message: error.message } },
      error,
    };
  }
  const remote = isNodeExecutor(env.executor) ? env.executor : undefined;
  const reuse = env.reusesAcrossCodeChange(node);
  if (remote && !reuse) return computeRemote(node, env, remote, record, key, upstream);
  let release: (() => Promise<void>) | undefined = await lockKey(env, node, key);
  try {
    faultPoint('lock-acquired');
    const again = await checkedLookup(env, node, key);
    if (again.status === 'hit') {
      await pin();
      return hitOutcome(env, node, record, again, true);
    }
    await env.cache.clearStaging(key);
    if (reuse) {
      const reused = await reuseAcrossCodeChange(env, node, record, keyInput, key);
      if (reused) return reused;
    }
    if (remote) {
      // nothing to reuse: the job takes the lock itself
      await release();
      release = undefined;
      return await computeRemote(node, env, remote, record, key, upstream);
    }
    const executor = env.executor as StageExecutor;
    return await env.slot(node, () => {
      // A stage that got its slot after Ctrl-C must not start: the runner marks it interrupted.
      env.signal.throwIfAborted();
      return compute(node, upstream, env, executor, record, key);
    });
  } finally {
    await release?.();
  }
}

function lockKey(env: NodeEnv, node: GraphNode, key: string): Promise<() => Promise<void>> {
  return env.cache.lock(key, {
    signal: env.signal,
    onWait: (owner) =>
      env.emit({
        type: 'state',
        id: node.id,
        state: 'waiting',
        key,
        detail:
          owner?.pid === process.pid && owner.hostname === hostname()
            ? 'another stage of this run has the same key'
            : owner
              ? `locked by pid ${owner.pid} on ${owner.hostname}${owner.job ? ` (${owner.job.scheduler} job ${owner.job.id})` : owner.slurmJobId ? ` (slurm job ${owner.slurmJobId})` : ''}`
              : `lock file ${env.cache.path('locks', `${key}.lock`)} is not a serx lock; it counts as stale ${UNREADABLE_LOCK_GRACE_MS / 1000} s after it was written`,
      }),
    onStale: (owner) =>
      env.emit({
        type: 'warning',
        id: node.id,
        message: `recovered a stale lock of '${node.id}' left by dead pid ${owner.pid}`,
      }),
    onUnreadableStale: (what) =>
      env.emit({
        type: 'warning',
        id: node.id,
        message: `removed the lock file of '${node.id}' (${env.cache.path('locks', `${key}.lock`)}): it is not a serx lock (${what}) and is older than ${UNREADABLE_LOCK_GRACE_MS / 1000} s`,
      }),
  });
}

// What only a miss needs (running a stage, a node executor's job, adopting an entry across a code
// change, and everything they import) is imported on the first miss: a no-op rerun loads none of it.
const compute: typeof import('./compute-node.ts').compute = async (...args) =>
  (await import('./compute-node.ts')).compute(...args);
const computeRemote: typeof import('./compute-remote.ts').computeRemote = async (...args) =>
  (await import('./compute-remote.ts')).computeRemote(...args);
const reuseAcrossCodeChange: typeof import('./reuse-node.ts').reuseAcrossCodeChange = async (...args) =>
  (await import('./reuse-node.ts')).reuseAcrossCodeChange(...args);
