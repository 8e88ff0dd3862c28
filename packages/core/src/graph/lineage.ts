/**
 * Static lineage: the corpora whose data reaches each node, and the held-out proof built on it.
 */

import type { SourceLocation } from '../errors.ts';
import { ErrorCodes, toSerxError } from '../errors.ts';
import type { IssueList } from '../spec/spec-error.ts';
import { suggest } from '../spec/suggest.ts';
import type { LScalar } from '../spec/yaml-tree.ts';
import type { GraphNode, InputRef } from './types.ts';

export function refsOf(value: InputRef | InputRef[] | undefined): InputRef[] {
  if (!value) return [];
  return Array.isArray(value) ? value : [value];
}

/** Sets `node.corpora` for every node, visiting `order` (dependencies first). */
export function computeLineage(nodes: Map<string, GraphNode>, order: string[], issues: IssueList): void {
  for (const id of order) {
    const node = nodes.get(id) as GraphNode;
    const inputs: { [name: string]: string[] } = {};
    for (const [name, value] of Object.entries(node.inputs)) {
      inputs[name] = union(refsOf(value).map((ref) => nodes.get(ref.node)?.corpora ?? []));
    }
    if (!node.definition.corpora) {
      node.corpora = union(Object.values(inputs));
      continue;
    }
    try {
      node.corpora = [...new Set(node.definition.corpora(node.params, inputs))].sort();
    } catch (cause) {
      // a coded error keeps its code (a spec problem the stage names: SPEC_INPUT_MISSING...)
      issues.add({
        code: toSerxError(cause)?.code ?? ErrorCodes.SPEC_INVALID,
        message: `${node.definition.name}.corpora() failed for stage '${id}': ${(cause as Error).message}`,
        loc: node.loc,
        specPath: `stages.${node.stageId}`,
      });
      node.corpora = union(Object.values(inputs));
    }
  }
}

/**
 * Refuses a held-out corpus that reaches an input declared `fits: true`, naming the path of
 * stages from where the corpus enters the graph to the fitting input.
 */
export function checkHeldOut(
  nodes: Map<string, GraphNode>,
  order: string[],
  heldOut: readonly string[],
  refLocs: Map<string, Map<string, SourceLocation[]>>,
  issues: IssueList,
): void {
  if (heldOut.length === 0) return;
  const reported = new Set<string>();
  for (const id of order) {
    const node = nodes.get(id) as GraphNode;
    for (const [name, spec] of Object.entries(node.definition.inputs)) {
      if (!spec.fits) continue;
      refsOf(node.inputs[name]).forEach((ref, i) => {
        const upstream = nodes.get(ref.node) as GraphNode;
        const corpus = heldOut.find((c) => upstream.corpora.includes(c));
        const loc = refLocs.get(id)?.get(name)?.[i] ?? node.loc;
        const once = `${node.stageId}.${name}:${loc.line}:${loc.col}`;
        if (corpus === undefined || reported.has(once)) return;
        reported.add(once);
        const chain = [...origin(nodes, upstream, corpus), `${id}.${name}`].join(' → ');
        issues.add({
          code: ErrorCodes.SPEC_HELD_OUT_LEAK,
          message: `held-out corpus '${corpus}' reaches input '${name}' of '${id}', which fits on its data: ${chain}`,
          loc,
          specPath: `stages.${node.stageId}.inputs.${name}`,
        });
      });
    }
  }
}

/**
 * Every held-out name must be a corpus some stage emits: a name no stage reads (a typo, or a
 * corpus whose ingest was removed) would make the held-out proof vacuous.
 */
export function checkHeldOutNames(
  nodes: Map<string, GraphNode>,
  heldOut: readonly LScalar[],
  issues: IssueList,
): void {
  const corpora = new Set([...nodes.values()].flatMap((node) => node.corpora));
  for (const item of heldOut) {
    const name = item.value as string;
    if (corpora.has(name)) continue;
    const known = [...corpora].sort();
    const hint =
      suggest(name, corpora) ||
      (known.length > 0
        ? ` (the stages read: ${known.join(', ')})`
        : ' (no stage declares the corpora it reads)');
    issues.add({
      code: ErrorCodes.SPEC_INVALID,
      message: `held-out corpus '${name}' is not read by any stage${hint}; holding it out would prove nothing`,
      loc: item.loc,
      specPath: 'heldOut',
    });
  }
}

/** The node ids from where `corpus` enters the graph down to `node`. */
function origin(nodes: Map<string, GraphNode>, node: GraphNode, corpus: string): string[] {
  const path = [node.id];
  let current = node;
  for (;;) {
    const from = Object.values(current.inputs)
      .flatMap(refsOf)
      .map((ref) => nodes.get(ref.node) as GraphNode)
      .find((upstream) => upstream.corpora.includes(corpus));
    if (!from) return path;
    path.unshift(from.id);
    current = from;
  }
}

function union(lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())].sort();
}
