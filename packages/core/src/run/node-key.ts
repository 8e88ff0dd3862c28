import { canonicalJson } from '../cache/canonical-json.ts';
import type { CodeFingerprint, CodeFingerprinter } from '../cache/code/code-fingerprint.ts';
import { type CacheKeyInput, sha256 } from '../cache/key.ts';
import type { GraphNode, InputRef } from '../graph/types.ts';

/** Content hashes of a node's wired inputs, or undefined while some upstream output is unknown. */
export function inputHashes(
  node: GraphNode,
  hashOf: (ref: InputRef) => string | undefined,
): CacheKeyInput['inputs'] | undefined {
  const hashes: CacheKeyInput['inputs'] = {};
  for (const [name, wired] of Object.entries(node.inputs)) {
    const refs = Array.isArray(wired) ? wired : [wired];
    const list = refs.map(hashOf);
    if (list.some((h) => h === undefined)) return undefined;
    hashes[name] = Array.isArray(wired) ? (list as string[]) : (list[0] as string);
  }
  return hashes;
}

export function nodeKeyInput(
  node: GraphNode,
  inputs: CacheKeyInput['inputs'],
  fingerprint: string | undefined,
  code: CodeFingerprint | undefined,
): CacheKeyInput {
  return {
    stage: node.definition.name,
    plugin: { name: node.plugin.name, version: node.plugin.version },
    version: node.definition.version,
    params: node.params,
    seed: node.seed,
    inputs,
    ...(fingerprint === undefined ? {} : { fingerprint }),
    ...(code === undefined ? {} : { code }),
  };
}

/** The node's code fingerprint (see {@link CodeFingerprinter.ofStage}). */
export function nodeCode(node: GraphNode, code: CodeFingerprinter): Promise<CodeFingerprint | undefined> {
  return code.ofStage(node.definition, node.params);
}

/** The node's `fingerprint()`, told its code (`code`: the node's code fingerprint, computed first). */
export async function nodeFingerprint(
  node: GraphNode,
  signal: AbortSignal,
  code: CodeFingerprint | undefined,
): Promise<string | undefined> {
  if (!node.definition.fingerprint) return undefined;
  return node.definition.fingerprint(node.params, signal, code ? { code: codeHash(code) } : {});
}

const codeHashes = new WeakMap<CodeFingerprint, string>();

/** sha256 of a code fingerprint; once per fingerprint object (nodes of one stage and params share one). */
function codeHash(code: CodeFingerprint): string {
  let hash = codeHashes.get(code);
  if (hash === undefined) {
    hash = sha256(canonicalJson(code));
    codeHashes.set(code, hash);
  }
  return hash;
}

/** Upstream node ids of a node, each once, in wiring order. */
export function upstreamIds(node: GraphNode): string[] {
  const ids = new Set<string>();
  for (const wired of Object.values(node.inputs))
    for (const ref of Array.isArray(wired) ? wired : [wired]) ids.add(ref.node);
  return [...ids];
}
