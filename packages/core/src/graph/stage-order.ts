import type { SourceLocation } from '../errors.ts';
import { ErrorCodes } from '../errors.ts';
import { specError } from '../spec/spec-error.ts';
import type { StagePlan } from './stage-plan.ts';

interface Edge {
  to: string;
  loc: SourceLocation;
}

/**
 * Stages in dependency order (ties follow spec order). A cycle is an error listing it in
 * data-flow order from the earliest stage in the spec: `a → b → c → a`.
 */
export function orderStages(plans: StagePlan[]): StagePlan[] {
  const byId = new Map(plans.map((plan) => [plan.id, plan]));
  const deps = new Map<string, Edge[]>();
  for (const plan of plans) {
    const edges: Edge[] = [];
    for (const input of plan.inputs) {
      for (const ref of input.refs) {
        for (const { ref: target } of ref.candidates)
          if (byId.has(target.stage)) edges.push({ to: target.stage, loc: ref.node.loc });
      }
    }
    deps.set(plan.id, edges);
  }
  const state = new Map<string, 'open' | 'done'>();
  const order: StagePlan[] = [];
  const stack: string[] = [];
  const visit = (id: string): void => {
    const seen = state.get(id);
    if (seen === 'done') return;
    if (seen === 'open') throw cycleError(stack.slice(stack.indexOf(id)), byId, deps);
    state.set(id, 'open');
    stack.push(id);
    for (const edge of deps.get(id) ?? []) visit(edge.to);
    stack.pop();
    state.set(id, 'done');
    order.push(byId.get(id) as StagePlan);
  };
  for (const plan of plans) visit(plan.id);
  return order;
}

/** `consumers[i]` consumes `consumers[i + 1]` (and the last consumes the first). */
function cycleError(consumers: string[], byId: Map<string, StagePlan>, deps: Map<string, Edge[]>) {
  const flow = [...consumers].reverse();
  const start = flow.reduce(
    (best, id, i) => ((byId.get(id)?.index ?? 0) < (byId.get(flow[best] as string)?.index ?? 0) ? i : best),
    0,
  );
  const ordered = [...flow.slice(start), ...flow.slice(0, start)];
  const first = ordered[0] as string;
  const next = (ordered[1] ?? first) as string;
  const edge = deps.get(next)?.find((e) => e.to === first);
  return specError({
    code: ErrorCodes.SPEC_CYCLE,
    message: `cycle: ${[...ordered, first].join(' → ')}`,
    loc: edge?.loc ?? (byId.get(first) as StagePlan).keyLoc,
    specPath: `stages.${next}.inputs`,
  });
}
