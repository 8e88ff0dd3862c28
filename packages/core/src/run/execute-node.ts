import { hostname } from 'node:os';
import type { Cache, Lookup } from '../cache/cache.ts';
import { faultPoint } from '../cache/fault.ts';
import { cacheKey } from '../cache/key.ts';
import type { EntryManifest } from '../cache/manifest.ts';
import type { Artifact, StageResult } from '../contract.ts';
import type { SerxError } from '../errors.ts';
import type { GraphNode } from '../graph/types.ts';
import type { Tracker } from '../tracking/types.ts';
import { contextChannels } from './context.ts';
import type { EmitEvent } from './events.ts';
import type { Executor } from './executor.ts';
import { inputHashes, nodeFingerprint, nodeKeyInput } from './node-key.ts';
import type { StageRecord } from './record.ts';
import { stageBrokeContract, stageFailed } from './stage-errors.ts';

/** What a finished node hands to its consumers and to the run record. */
export interface NodeOutcome {
  record: StageRecord;
  /** Published outputs (hits and successes). */
  artifacts?: { [output: string]: Artifact };
  error?: SerxError;
}

export interface NodeEnv {
  cache: Cache;
  executor: Executor;
  tracker: Tracker;
  emit: EmitEvent;
  runId: string;
  heldOut: readonly string[];
  verify: boolean;
  threads(node: GraphNode): number;
  /** Waits for a slot (concurrency + resource class) and runs `fn` in it. */
  slot<T>(node: GraphNode, fn: () => Promise<T>): Promise<T>;
  signal: AbortSignal;
  /** Records that the node started computing (so the key survives a crash of the run). */
  started(record: StageRecord): void;
}

function artifactsOf(node: GraphNode, path: string, manifest: EntryManifest): { [output: string]: Artifact } {
  const artifacts: { [output: string]: Artifact } = {};
  for (const [name, output] of Object.entries(manifest.outputs)) {
    artifacts[name] = Object.freeze({
      path: `${path}/${name}`,
      type: output.type,
      hash: output.hash,
      producer: node.id,
      meta: output.meta,
      corpora: node.corpora,
    });
  }
  return artifacts;
}

function missingOutputs(node: GraphNode, manifest: EntryManifest): string[] {
  return Object.keys(node.definition.outputs).filter((name) => !manifest.outputs[name]);
}

function resolveInputs(
  node: GraphNode,
  upstream: ReadonlyMap<string, NodeOutcome>,
): { [name: string]: Artifact | Artifact[] } {
  const get = (ref: { node: string; output: string }) =>
    upstream.get(ref.node)?.artifacts?.[ref.output] as Artifact;
  const inputs: { [name: string]: Artifact | Artifact[] } = {};
  for (const [name, wired] of Object.entries(node.inputs))
    inputs[name] = Array.isArray(wired) ? wired.map(get) : get(wired);
  return inputs;
}

async function checkedLookup(env: NodeEnv, node: GraphNode, key: string): Promise<Lookup> {
  const found = await env.cache.lookup(key, { verify: env.verify });
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
  try {
    hashes = inputHashes(node, (ref) => upstream.get(ref.node)?.artifacts?.[ref.output]?.hash);
    if (!hashes) throw stageBrokeContract(node, 'was scheduled before its inputs were published');
    fingerprint = await nodeFingerprint(node, env.signal);
  } catch (error) {
    if (env.signal.aborted) throw error; // the runner marks the node as interrupted
    const wrapped = stageFailed(node, error);
    env.emit({ type: 'state', id: node.id, state: 'failed', detail: wrapped.message });
    return {
      record: { ...base, status: 'failed', error: { code: wrapped.code, message: wrapped.message } },
      error: wrapped,
    };
  }
  const keyInput = nodeKeyInput(node, hashes, fingerprint);
  const key = cacheKey(keyInput);
  const record: StageRecord = { ...base, key, keyInput };
  const pin = async () => {
    if (node.pin) await env.cache.pin(key, `${node.id} (spec pin: true)`);
  };

  const found = await checkedLookup(env, node, key);
  if (found.status === 'hit') {
    await pin();
    // A run killed between publish and cleanup leaves the checkpoints behind; they are useless now.
    await env.cache.removeWorkDir(key);
    return hitOutcome(env, node, record, found, false);
  }
  const release = await env.cache.lock(key, {
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
            : `locked by pid ${owner?.pid ?? '?'} on ${owner?.hostname ?? '?'}`,
      }),
    onStale: (owner) =>
      env.emit({
        type: 'warning',
        id: node.id,
        message: `recovered a stale lock of '${node.id}' left by dead pid ${owner.pid}`,
      }),
  });
  try {
    faultPoint('lock-acquired');
    const again = await checkedLookup(env, node, key);
    if (again.status === 'hit') {
      await pin();
      return hitOutcome(env, node, record, again, true);
    }
    await env.cache.clearStaging(key);
    return await env.slot(node, () => compute(node, upstream, env, record, key));
  } finally {
    await release();
  }
}

async function compute(
  node: GraphNode,
  upstream: ReadonlyMap<string, NodeOutcome>,
  env: NodeEnv,
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
    faultPoint('stage-start');
    let result: StageResult | undefined;
    try {
      result = await env.executor.execute({
        node,
        key,
        data: {
          id: node.id,
          params: node.params,
          inputs: resolveInputs(node, upstream),
          outputs: staging.outputs,
          workDir,
          seed: node.seed,
          threads: env.threads(node),
          heldOut: env.heldOut,
        },
        channels: contextChannels(node.id, env.emit, env.tracker, artifacts),
        signal: env.signal,
      });
    } catch (error) {
      throw env.signal.aborted ? env.signal.reason : stageFailed(node, error);
    }
    env.signal.throwIfAborted();
    faultPoint('stage-done');
    const unknown = Object.keys(result?.meta ?? {}).filter((name) => !node.definition.outputs[name]);
    if (unknown.length > 0)
      throw stageBrokeContract(node, `returned meta for undeclared output(s) ${unknown.join(', ')}`);
    const outputs = Object.fromEntries(
      Object.entries(node.definition.outputs).map(([name, spec]) => [
        name,
        { type: spec.type, meta: result?.meta?.[name] ?? {}, corpora: node.corpora },
      ]),
    );
    const durationMs = Date.now() - started;
    const manifest = await env.cache.publish(staging, {
      keyInput: record.keyInput as NonNullable<StageRecord['keyInput']>,
      producer: node.id,
      outputs,
      metrics: result?.metrics ?? {},
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
    const durationMs = Date.now() - started;
    if (env.signal.aborted) {
      const reason = String((env.signal.reason as Error)?.message ?? env.signal.reason);
      env.tracker.stageFinished(node.id, 'interrupted', { error: reason, durationMs });
      env.emit({ type: 'state', id: node.id, state: 'interrupted', key, detail: reason, durationMs });
      return { record: { ...record, status: 'interrupted', startedAt, durationMs, skipped: reason } };
    }
    const wrapped = stageFailed(node, error);
    const cause = wrapped.cause instanceof Error ? (wrapped.cause.stack ?? wrapped.cause.message) : undefined;
    env.tracker.stageFinished(node.id, 'failed', { error: wrapped.message, durationMs });
    env.emit({ type: 'state', id: node.id, state: 'failed', key, detail: wrapped.message, durationMs });
    return {
      record: {
        ...record,
        status: 'failed',
        startedAt,
        durationMs,
        error: { code: wrapped.code, message: wrapped.message, ...(cause ? { cause } : {}) },
      },
      error: wrapped,
    };
  }
}
