import pLimit, { type LimitFunction } from 'p-limit';
import type { Cache } from '../cache/cache.ts';
import { type CodeFingerprinter, codeFingerprinter } from '../cache/code/code-fingerprint.ts';
import { type CacheKeyInput, cacheKey } from '../cache/key.ts';
import type { Graph, GraphNode } from '../graph/types.ts';
import { describeKeyChange } from './key-diff.ts';
import { inputHashes, nodeCode, nodeFingerprint, nodeKeyInput, upstreamIds } from './node-key.ts';
import { loadStageHistory, type StageRecord } from './record.ts';
import { type Selection, selectNodes } from './select.ts';

export interface PlannedNode {
  id: string;
  stageId: string;
  stage: string;
  /**
   * `hit`: reused from the cache. `miss`: will run. `pending`: will run or hit once an upstream
   * that misses has run (its key depends on that upstream's output content).
   */
  status: 'hit' | 'miss' | 'pending';
  /** Known for hits and misses. */
  key?: string;
  keyInput?: CacheKeyInput;
  /** For a miss or pending node: what changed versus the last run of this spec and node. */
  reasons: string[];
  /** Upstream nodes that must run before this node's key is known (pending only). */
  waitsFor: string[];
  /** The last recorded execution of this node in this spec, if any. */
  previous?: { key: string; status: StageRecord['status'] };
  /** A hit whose entry was reused from other code (`serx run --reuse-across-code-change`). */
  reusedAcrossCodeChange?: { from: string; changes: string[] };
}

export interface Plan {
  spec: string;
  nodes: PlannedNode[];
  counts: { hit: number; miss: number; pending: number };
}

function reasonsFor(
  node: GraphNode,
  keyInput: CacheKeyInput | undefined,
  previous: StageRecord | undefined,
  partial: CacheKeyInput,
): string[] {
  if (!previous?.keyInput) return ['no previous run of this stage recorded for this spec'];
  const changes = describeKeyChange(node, previous.keyInput, keyInput ?? partial, {
    inputs: keyInput !== undefined,
  });
  return changes;
}

interface PlanContext {
  cache: Cache;
  history: Map<string, StageRecord>;
  signal: AbortSignal;
  limit: LimitFunction;
  code: CodeFingerprinter;
}

interface NodePlan {
  planned: PlannedNode;
  /** Content hash per output, for hits. */
  hashes?: { [output: string]: string };
}

async function planNode(
  node: GraphNode,
  upstream: ReadonlyMap<string, NodePlan>,
  ctx: PlanContext,
): Promise<NodePlan> {
  const previous = ctx.history.get(node.id);
  const known = inputHashes(node, (ref) => upstream.get(ref.node)?.hashes?.[ref.output]);
  const code = await nodeCode(node, ctx.code);
  const fingerprint = await ctx.limit(() => nodeFingerprint(node, ctx.signal, code));
  const base = {
    id: node.id,
    stageId: node.stageId,
    stage: node.definition.name,
    ...(previous?.key ? { previous: { key: previous.key, status: previous.status } } : {}),
  };
  if (!known) {
    const waitsFor = upstreamIds(node).filter((up) => upstream.get(up)?.planned.status !== 'hit');
    const partial = nodeKeyInput(node, previous?.keyInput?.inputs ?? {}, fingerprint, code);
    const reasons = reasonsFor(node, undefined, previous, partial);
    reasons.push(
      `waits for ${waitsFor.map((up) => `'${up}'`).join(', ')} to run; hits if their outputs come out unchanged`,
    );
    return { planned: { ...base, status: 'pending', reasons, waitsFor } };
  }
  const keyInput = nodeKeyInput(node, known, fingerprint, code);
  const key = cacheKey(keyInput);
  const found = await ctx.limit(() => ctx.cache.lookup(key, { keepCorrupt: true }));
  if (found.status === 'hit') {
    const hashes = Object.fromEntries(
      Object.entries(found.manifest.outputs).map(([name, o]) => [name, o.hash]),
    );
    const reused = found.manifest.reusedAcrossCodeChange;
    const note = reused ? { reusedAcrossCodeChange: { from: reused.from, changes: reused.changes } } : {};
    return { planned: { ...base, status: 'hit', key, keyInput, reasons: [], waitsFor: [], ...note }, hashes };
  }
  let reasons = reasonsFor(node, keyInput, previous, keyInput);
  if (found.status === 'corrupt') reasons = [`the cache entry is corrupt (${found.reason})`];
  else if (previous?.key === key) {
    reasons = [
      previous.status === 'succeeded' || previous.status === 'cached'
        ? 'same key as the last run, but the entry is gone (collected by gc or removed)'
        : `same key as the last run, which ended ${previous.status}`,
    ];
  } else if (reasons.length === 0) reasons = ['key differs from the last run for a reason not recorded'];
  return { planned: { ...base, status: 'miss', key, keyInput, reasons, waitsFor: [] } };
}

/**
 * A dry run: every selected node's cache status without running or changing anything (corrupt
 * entries are reported, not removed). Reasons compare with the run records of the same spec.
 * Nodes are planned concurrently, each as soon as its upstream nodes are.
 */
export async function planGraph(
  graph: Graph,
  cache: Cache,
  options: Selection & { signal?: AbortSignal } = {},
): Promise<Plan> {
  const ids = selectNodes(graph, options);
  const ctx: PlanContext = {
    cache,
    history: await loadStageHistory(cache, graph.spec.name),
    signal: options.signal ?? new AbortController().signal,
    limit: pLimit(32),
    code: codeFingerprinter(cache.dir),
  };
  const done = new Map<string, NodePlan>();
  const pending = new Map<string, Promise<NodePlan>>();
  for (const id of ids) {
    const node = graph.nodes.get(id) as GraphNode;
    pending.set(
      id,
      Promise.all(upstreamIds(node).map((up) => pending.get(up))).then(async () => {
        const plan = await planNode(node, done, ctx);
        done.set(id, plan);
        return plan;
      }),
    );
  }
  const nodes = (await Promise.all(pending.values())).map((p) => p.planned);
  await ctx.code.save();
  const count = (status: PlannedNode['status']) => nodes.filter((n) => n.status === status).length;
  return {
    spec: graph.spec.name,
    nodes,
    counts: { hit: count('hit'), miss: count('miss'), pending: count('pending') },
  };
}
