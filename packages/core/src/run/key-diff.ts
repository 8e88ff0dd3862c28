import { canonicalJson } from '../cache/canonical-json.ts';
import { describeCodeChange } from '../cache/code/code-diff.ts';
import type { CacheKeyInput } from '../cache/key.ts';
import type { Json } from '../contract.ts';
import type { GraphNode } from '../graph/types.ts';

const show = (value: Json | undefined) => (value === undefined ? 'unset' : JSON.stringify(value));

function diffJson(before: Json | undefined, after: Json | undefined, path: string, out: string[]): void {
  if (
    canonicalJson(before ?? null) === canonicalJson(after ?? null) &&
    (before === undefined) === (after === undefined)
  )
    return;
  const isMap = (v: Json | undefined): v is { [k: string]: Json } =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isMap(before) && isMap(after)) {
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      diffJson(before[key], after[key], path ? `${path}.${key}` : key, out);
    }
    return;
  }
  out.push(`param ${path}: ${show(before)} → ${show(after)}`);
}

function inputSource(node: GraphNode, input: string, index: number | undefined): string {
  const wired = node.inputs[input];
  const ref = Array.isArray(wired) ? wired[index ?? 0] : wired;
  return ref ? `${ref.node}.${ref.output}` : 'unwired';
}

/**
 * Human-readable differences between the key material of the last recorded run of a node and
 * now, most fundamental first: `stage version 1 → 2`, `code changed: src/mfcc.ts`, `param numCeps: 40 → 41`,
 * `input values[1] (b.data) changed content`...
 */
export function describeKeyChange(
  node: GraphNode,
  before: CacheKeyInput,
  after: CacheKeyInput,
  options: { inputs?: boolean } = {},
): string[] {
  const out: string[] = [];
  if (before.stage !== after.stage) out.push(`stage ${before.stage} → ${after.stage}`);
  if (before.plugin.name !== after.plugin.name || before.plugin.version !== after.plugin.version) {
    out.push(
      `plugin ${before.plugin.name}@${before.plugin.version} → ${after.plugin.name}@${after.plugin.version}`,
    );
  }
  if (before.version !== after.version) out.push(`stage version ${before.version} → ${after.version}`);
  out.push(...describeCodeChange(before.code, after.code));
  diffJson(before.params, after.params, '', out);
  if (before.seed !== after.seed) out.push(`seed ${before.seed} → ${after.seed}`);
  if (before.fingerprint !== after.fingerprint) out.push('external data changed (fingerprint differs)');
  if (options.inputs !== false) {
    for (const name of [...new Set([...Object.keys(before.inputs), ...Object.keys(after.inputs)])].sort()) {
      const was = before.inputs[name];
      const now = after.inputs[name];
      if (canonicalJson(was ?? null) === canonicalJson(now ?? null)) continue;
      if (was === undefined || now === undefined) {
        out.push(`input ${name} ${was === undefined ? 'newly wired' : 'no longer wired'}`);
      } else if (Array.isArray(was) && Array.isArray(now) && was.length === now.length) {
        for (const [i, hash] of now.entries()) {
          if (hash !== was[i])
            out.push(`input ${name}[${i}] (${inputSource(node, name, i)}) changed content`);
        }
      } else if (Array.isArray(was) || Array.isArray(now)) {
        out.push(
          `input ${name} now has ${Array.isArray(now) ? now.length : 1} artifact(s), had ${Array.isArray(was) ? was.length : 1}`,
        );
      } else {
        out.push(`input ${name} (${inputSource(node, name, undefined)}) changed content`);
      }
    }
  }
  return out;
}
