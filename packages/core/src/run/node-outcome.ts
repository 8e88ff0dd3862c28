import type { Cache } from '../cache/cache.ts';
import type { CodeFingerprinter } from '../cache/code/code-fingerprint.ts';
import type { EntryManifest } from '../cache/manifest.ts';
import type { Artifact } from '../contract.ts';
import type { SerxError } from '../errors.ts';
import type { GraphNode } from '../graph/types.ts';
import type { Tracker } from '../tracking/types.ts';
import type { ContextData } from './context.ts';
import type { EmitEvent } from './events.ts';
import type { Executor } from './executor.ts';
import type { StageRecord } from './record.ts';

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
  /** Code fingerprints of this run's nodes. */
  code: CodeFingerprinter;
  /** The node may reuse an entry made by other code instead of running (`--reuse-across-code-change`). */
  reusesAcrossCodeChange(node: GraphNode): boolean;
}

export function artifactsOf(
  node: GraphNode,
  path: string,
  manifest: EntryManifest,
): { [output: string]: Artifact } {
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

export function resolveInputs(
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

/**
 * A stage context's data for `node` (a StageTask's `data`): its id, params, inputs from `upstream`
 * and seed, with where and with what it runs.
 */
export function contextData(
  node: GraphNode,
  upstream: ReadonlyMap<string, NodeOutcome>,
  where: Pick<ContextData, 'outputs' | 'workDir' | 'threads' | 'heldOut'>,
): ContextData {
  return {
    id: node.id,
    params: node.params,
    inputs: resolveInputs(node, upstream),
    outputs: where.outputs,
    workDir: where.workDir,
    seed: node.seed,
    threads: where.threads,
    heldOut: where.heldOut,
  };
}
