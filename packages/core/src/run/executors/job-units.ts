/**
 * Which nodes a batch executor submits together (docs/scaling.md, "Job groups and arrays"): a
 * job unit is one or more nodes computed by one job (`serx exec-node <spec> <node>...`), and units
 * of the same shape that are ready together may go out as one job array. Pure: from the graph,
 * the selected nodes and the executor settings.
 *
 * - `group: <name>` on stages (as Snakemake's `group`): the nodes of one name that are connected
 *   in the graph form one unit (a matrix stage gives one unit per variant chain); with
 *   `executor.groupComponents.<name>: N`, up to N unconnected parts share one.
 * - automatic (`executor.grouping: auto`, the default): a node of class `light` (the spec's
 *   `resources.class`, else the stage's) that is in no group and reads from exactly one node runs
 *   in that node's unit (split after ingest, evaluate after predict).
 * - `executor.grouping: off`: a job per node, no arrays (as before groups); `arrays: false`: no arrays.
 *
 * A unit is convex (no path leaves it and comes back), so it can start once the nodes it reads
 * from outside are published; a `group:` that is not fails with SPEC_INVALID.
 */
import { SerxError } from '../../errors.ts';
import type { Graph, GraphNode } from '../../graph/types.ts';
import { upstreamIds } from '../node-key.ts';
import type { ExecutorSettings } from './executor-config.ts';
import { type JobResources, jobClass, jobResources, unitResources } from './resources.ts';

export interface JobUnit {
  /** `<group>` or `<group>:<first node>` for a `group:`, `<root>+<n>` for an automatic chain, else the node id. */
  id: string;
  /** Node ids, dependencies first. */
  members: string[];
  /** Members that read from no other member. */
  roots: string[];
  /** Nodes outside the unit that members read from: the unit starts once all are published. */
  external: string[];
  /** The `group:` name, for a unit made by one. */
  group?: string;
  /** The job's resources (merged over the members). */
  resources: JobResources;
  /**
   * Units of the same stages that differ only by matrix variant share this (and may go out as
   * one job array); undefined for a unit without siblings.
   */
  arrayClass?: string;
}

export interface JobUnits {
  /** Every selected node's unit (a unit of one for a node that shares no job). */
  of: Map<string, JobUnit>;
  units: JobUnit[];
}

class UnionFind {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root) as string;
    this.parent.set(x, root);
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}

/** Nodes reachable from `from` (not included) along `next`. */
function reach(from: Iterable<string>, next: (id: string) => readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...from].flatMap(next);
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...next(id));
  }
  return seen;
}

export function jobUnits(graph: Graph, selected: readonly string[], settings: ExecutorSettings): JobUnits {
  const grouping = settings.grouping ?? 'auto';
  const chosen = new Set(selected);
  const order = graph.order.filter((id) => chosen.has(id));
  const node = (id: string) => graph.nodes.get(id) as GraphNode;
  const ups = new Map(order.map((id) => [id, upstreamIds(node(id))]));
  const downs = new Map<string, string[]>(order.map((id) => [id, []]));
  for (const id of order) for (const up of ups.get(id) ?? []) downs.get(up)?.push(id);
  const upsOf = (id: string) => ups.get(id) ?? upstreamIds(node(id));
  const downsOf = (id: string) => downs.get(id) ?? [];
  /** A node outside `set` that is below one member and above another. */
  const between = (set: ReadonlySet<string>): string | undefined => {
    const below = reach(set, downsOf);
    const above = reach(set, upsOf);
    return order.find((id) => !set.has(id) && below.has(id) && above.has(id));
  };
  const resourcesOf = (id: string) => jobResources(node(id), settings);
  const groupOf = (id: string) => (grouping === 'off' ? undefined : settings.groups?.[node(id).stageId]);

  // explicit groups: connected parts of one name
  const uf = new UnionFind();
  for (const id of order)
    for (const up of upsOf(id))
      if (chosen.has(up) && groupOf(id) !== undefined && groupOf(id) === groupOf(up)) uf.union(up, id);
  const parts = new Map<string, string[]>();
  for (const id of order) {
    if (groupOf(id) === undefined) continue;
    const root = uf.find(id);
    parts.set(root, [...(parts.get(root) ?? []), id]);
  }
  // up to groupComponents.<name> parts per unit, in order, while the union stays convex
  const sets: Set<string>[] = [];
  const open = new Map<string, { set: Set<string>; parts: number }>();
  for (const part of parts.values()) {
    const name = groupOf(part[0] as string) as string;
    const current = open.get(name);
    if (
      current &&
      current.parts < (settings.groupComponents?.[name] ?? 1) &&
      between(new Set([...current.set, ...part])) === undefined &&
      unitResources([...current.set, ...part].map(resourcesOf))
    ) {
      for (const id of part) current.set.add(id);
      current.parts++;
      continue;
    }
    const set = new Set(part);
    const outside = between(set);
    if (outside !== undefined)
      throw new SerxError(
        'SPEC_INVALID',
        `${graph.spec.file}: group '${name}': '${outside}' is not in the group but reads from one of its stages and feeds another; add it to the group or split the group`,
        { specPath: `stages.${node(outside).stageId}.group`, loc: node(outside).loc },
      );
    if (!unitResources(part.map(resourcesOf)))
      throw new SerxError(
        'SPEC_INVALID',
        `${graph.spec.file}: group '${name}': its stages ask for different partitions, accounts, QoS, gres or extra arguments; one job cannot have both`,
        { specPath: `stages.${node(part[0] as string).stageId}.group`, loc: node(part[0] as string).loc },
      );
    sets.push(set);
    open.set(name, { set, parts: 1 });
  }
  const setOf = new Map<string, Set<string>>();
  for (const set of sets) for (const id of set) setOf.set(id, set);

  // automatic: a light node in no group that reads from exactly one node joins that node's unit
  if (grouping === 'auto')
    for (const id of order) {
      if (groupOf(id) !== undefined || jobClass(node(id), settings) !== 'light') continue;
      const from = upsOf(id);
      if (from.length !== 1 || !chosen.has(from[0] as string)) continue;
      const up = from[0] as string;
      const target = setOf.get(up) ?? new Set([up]);
      const joined = new Set([...target, id]);
      if (between(joined) !== undefined) continue;
      if (!unitResources([...joined].map(resourcesOf))) continue;
      if (!setOf.has(up)) sets.push(target);
      target.add(id);
      for (const member of target) setOf.set(member, target);
    }

  const of = new Map<string, JobUnit>();
  const units: JobUnit[] = [];
  for (const id of order) {
    if (of.has(id)) continue;
    const set = setOf.get(id) ?? new Set([id]);
    const members = order.filter((m) => set.has(m));
    const group = groupOf(id);
    const roots = members.filter((m) => !upsOf(m).some((up) => set.has(up)));
    const unit: JobUnit = {
      id:
        members.length === 1
          ? id
          : group === undefined
            ? `${id}+${members.length - 1}`
            : sets.filter((s) => groupOf([...s][0] as string) === group).length > 1
              ? `${group}:${id}`
              : group,
      members,
      roots,
      external: [...new Set(members.flatMap(upsOf))].filter((up) => !set.has(up)),
      ...(group !== undefined ? { group } : {}),
      resources: unitResources(members.map(resourcesOf)) as JobResources,
    };
    for (const m of members) of.set(m, unit);
    units.push(unit);
  }

  // array classes: units whose members are the same stages (variants of a matrix) and resources
  const classes = new Map<string, JobUnit[]>();
  for (const unit of units) {
    if (grouping === 'off' || settings.arrays === false) break;
    if (unit.members.every((m) => Object.keys(node(m).variant).length === 0)) continue;
    const shape = JSON.stringify([unit.members.map((m) => node(m).stageId), unit.resources]);
    classes.set(shape, [...(classes.get(shape) ?? []), unit]);
  }
  for (const [shape, list] of classes) if (list.length > 1) for (const unit of list) unit.arrayClass = shape;
  return { of, units };
}
