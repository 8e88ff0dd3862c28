/**
 * Matrix expansion: each stage varies over the axes it names plus those of every upstream it
 * consumes without `[*]`; a stage that varies over nothing becomes one node shared by all variants.
 */
import type { Json } from '../contract.ts';
import type { SourceLocation } from '../errors.ts';
import { ErrorCodes } from '../errors.ts';
import type { SpecDocument } from '../spec/document.ts';
import type { Resolver } from '../spec/interpolate.ts';
import { hasExpressions, interpolateTree } from '../spec/interpolate.ts';
import type { IssueList } from '../spec/spec-error.ts';
import { specError } from '../spec/spec-error.ts';
import { validateParams } from '../spec/validate-params.ts';
import { cartesian } from './cartesian.ts';
import type { StagePlan } from './stage-plan.ts';
import type { GraphNode, InputRef } from './types.ts';

export type Assignment = { [axis: string]: Json };

export interface ExpandedStage {
  plan: StagePlan;
  axes: string[];
  /** Node ids in variant order. */
  nodes: string[];
  assignments: Assignment[];
  byVariant: Map<string, string>;
}

export interface Expansion {
  nodes: Map<string, GraphNode>;
  stages: Map<string, ExpandedStage>;
  /** Location of each wired reference: node id → input name → one location per InputRef. */
  refLocs: Map<string, Map<string, SourceLocation[]>>;
}

export function expandStages(
  ordered: StagePlan[],
  doc: SpecDocument,
  specDir: string,
  issues: IssueList,
): Expansion {
  const matrixOrder = doc.matrix.map((axis) => axis.name);
  const stages = new Map<string, ExpandedStage>();
  const nodes = new Map<string, GraphNode>();
  const refLocs = new Map<string, Map<string, SourceLocation[]>>();
  for (const plan of ordered) {
    const axisSet = new Set(plan.ownAxes);
    for (const input of plan.inputs) {
      for (const template of input.refs) {
        for (const { ref } of template.candidates)
          if (!ref.star) for (const axis of stages.get(ref.stage)?.axes ?? []) axisSet.add(axis);
      }
    }
    const axes = matrixOrder.filter((axis) => axisSet.has(axis));
    const assignments = cartesian(doc.matrix.filter((axis) => axisSet.has(axis.name)));
    const expanded: ExpandedStage = { plan, axes, nodes: [], assignments, byVariant: new Map() };
    // Params without matrix expressions are validated once and copied into every variant.
    const fixed = hasExpressions(plan.params) ? undefined : validateOnce(plan, specDir, issues);
    for (const assignment of assignments) {
      const id = variantId(plan.id, axes, assignment);
      const params =
        fixed === undefined ? variantParams(plan, assignment, specDir, issues) : fixed && JSON.parse(fixed);
      const wiring = wireInputs(plan, assignment, stages);
      expanded.nodes.push(id);
      expanded.byVariant.set(variantKey(axes, assignment), id);
      refLocs.set(id, wiring.locs);
      if (!params) continue;
      nodes.set(id, {
        id,
        stageId: plan.id,
        variant: assignment,
        definition: plan.registered.definition,
        plugin: plan.registered.plugin,
        params: plan.specOutputs ? { ...params, outputs: plan.specOutputs } : params,
        seed: variantSeed(plan, assignment, doc.seed, issues),
        pin: plan.pin,
        ...(plan.shards ? { shards: plan.shards } : {}),
        inputs: wiring.inputs,
        corpora: [],
        loc: plan.keyLoc,
      });
    }
    stages.set(plan.id, expanded);
  }
  return { nodes, stages, refLocs };
}

export function variantId(stageId: string, axes: string[], assignment: Assignment): string {
  if (axes.length === 0) return stageId;
  return `${stageId}[${axes.map((axis) => `${axis}=${formatValue(assignment[axis] as Json)}`).join(',')}]`;
}

function formatValue(value: Json): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function variantKey(axes: string[], assignment: Assignment): string {
  return JSON.stringify(axes.map((axis) => assignment[axis]));
}

function matrixResolver(assignment: Assignment): Resolver {
  return (kind, name, _fallback, loc) => {
    if (kind === 'matrix' && name in assignment) return assignment[name] as Json;
    throw specError({ code: ErrorCodes.SPEC_MATRIX, message: `undefined matrix axis '${name}'`, loc });
  };
}

/** The validated params as JSON text, or null when invalid (issues recorded). */
function validateOnce(plan: StagePlan, specDir: string, issues: IssueList): string | null {
  const result = validateParams(plan.registered.definition, plan.params, {
    stageId: plan.id,
    stageLoc: plan.keyLoc,
    specDir,
  });
  if (result.ok) return JSON.stringify(result.params);
  for (const issue of result.issues) issues.add(issue);
  return null;
}

function variantParams(plan: StagePlan, assignment: Assignment, specDir: string, issues: IssueList) {
  let node = plan.params;
  try {
    node =
      node &&
      interpolateTree(node, matrixResolver(assignment), { final: true, path: `stages.${plan.id}.params` });
  } catch (error) {
    issues.collect(() => {
      throw error;
    });
    return undefined;
  }
  const result = validateParams(plan.registered.definition, node, {
    stageId: plan.id,
    stageLoc: plan.keyLoc,
    specDir,
  });
  if (result.ok) return result.params;
  for (const issue of result.issues) issues.add(issue);
  return undefined;
}

function variantSeed(plan: StagePlan, assignment: Assignment, fallback: number, issues: IssueList): number {
  const node = plan.seed;
  if (!node) return fallback;
  let seed: Json | undefined;
  issues.collect(() => {
    const value = interpolateTree(node, matrixResolver(assignment), {
      final: true,
      path: `stages.${plan.id}.seed`,
    });
    seed = value.kind === 'scalar' ? value.value : undefined;
  });
  if (typeof seed === 'number' && Number.isSafeInteger(seed)) return seed;
  issues.add({
    code: ErrorCodes.SPEC_INVALID,
    message: 'must be an integer',
    loc: node.loc,
    specPath: `stages.${plan.id}.seed`,
  });
  return fallback;
}

function wireInputs(plan: StagePlan, assignment: Assignment, stages: Map<string, ExpandedStage>) {
  const inputs: { [name: string]: InputRef | InputRef[] } = {};
  const locs = new Map<string, SourceLocation[]>();
  for (const input of plan.inputs) {
    const refs: InputRef[] = [];
    const refLocs: SourceLocation[] = [];
    for (const template of input.refs) {
      const chosen = template.candidates.find((c) =>
        template.axes.every((axis) => c.assignment[axis] === assignment[axis]),
      );
      const upstream = chosen && stages.get(chosen.ref.stage);
      if (!chosen || !upstream) continue;
      const ids = chosen.ref.star
        ? upstream.nodes.filter((_, i) => agrees(upstream.assignments[i] as Assignment, assignment))
        : [upstream.byVariant.get(variantKey(upstream.axes, assignment)) as string];
      for (const node of ids) {
        refs.push({ node, output: chosen.ref.output });
        refLocs.push(template.node.loc);
      }
    }
    locs.set(input.name, refLocs);
    if (input.spec.many) inputs[input.name] = refs;
    else if (refs[0]) inputs[input.name] = refs[0];
  }
  return { inputs, locs };
}

function agrees(upstream: Assignment, own: Assignment): boolean {
  for (const axis in upstream) if (axis in own && own[axis] !== upstream[axis]) return false;
  return true;
}
