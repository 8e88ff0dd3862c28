import { dirname } from 'node:path';
import type { Json } from '../contract.ts';
import type { Registry } from '../plugins/registry.ts';
import type { SpecDocument } from '../spec/document.ts';
import { IssueList } from '../spec/spec-error.ts';
import { toJson } from '../spec/yaml-tree.ts';
import { expandStages } from './expand.ts';
import { checkHeldOut, checkHeldOutNames, computeLineage } from './lineage.ts';
import { topologicalOrder } from './node-order.ts';
import { orderStages } from './stage-order.ts';
import { buildStagePlans, type StagePlan } from './stage-plan.ts';
import type { Graph, GraphNode } from './types.ts';

/**
 * The resolved graph of an already read document (its plugins registered): wiring and params
 * validation, matrix expansion, order and the held-out lineage proof. Pure; every problem found in
 * one pass is reported at once.
 */
export function buildGraph(
  doc: SpecDocument,
  context: { registry: Registry; file: string; files: string[]; plugins: string[] },
): Graph {
  const issues = new IssueList();
  const plans = buildStagePlans(doc, context.registry, issues);
  // Wiring problems do not stop params validation: the user sees both kinds at once.
  let ordered: StagePlan[] | undefined;
  issues.collect(() => {
    ordered = orderStages(plans);
  });
  if (!ordered) return issues.throwAll();
  const expansion = expandStages(ordered, doc, dirname(context.file), issues);
  issues.throwIfAny();
  const specOrder = [...plans]
    .sort((a, b) => a.index - b.index)
    .flatMap((plan) => expansion.stages.get(plan.id)?.nodes ?? []);
  const order = topologicalOrder(expansion.nodes, specOrder);
  computeLineage(expansion.nodes, order, issues);
  checkHeldOutNames(expansion.nodes, doc.heldOutNodes, issues);
  checkHeldOut(expansion.nodes, order, doc.heldOut, expansion.refLocs, issues);
  issues.throwIfAny();
  return {
    spec: {
      name: doc.name,
      file: context.file,
      files: context.files,
      heldOut: doc.heldOut,
      plugins: context.plugins,
      tracking: doc.tracking,
      document: toJson(doc.tree) as { [key: string]: Json },
    },
    nodes: new Map(order.map((id) => [id, expansion.nodes.get(id) as GraphNode])),
    order,
  };
}
