import type { GraphNode } from '../../graph/types.ts';
import type { ExecutorSettings } from './executor-config.ts';

/** What one cluster job asks for. */
export interface JobResources {
  cpus?: number;
  mem?: string;
  /** Minutes, or `MM:SS`, `HH:MM:SS`, `D-HH:MM:SS`. */
  time?: string | number;
  gres?: string;
  partition?: string;
  account?: string;
  qos?: string;
  extra?: string[];
}

export type ResourceClass = 'light' | 'io' | 'cpu-heavy';

/**
 * Defaults per resource class of a stage. Small enough to fit a 2-core laptop-sized node (so the
 * smoke experiment runs on `scripts/slurm-local.sh`); a real cluster raises them in the spec's
 * `executor.classes` or a `serx.config.yaml`.
 */
export const CLASS_DEFAULTS: { [c in ResourceClass]: JobResources } = {
  light: { cpus: 1, mem: '2G', time: '1:00:00' },
  io: { cpus: 1, mem: '4G', time: '4:00:00' },
  'cpu-heavy': { cpus: 2, mem: '8G', time: '24:00:00' },
};

/**
 * A node's job resources, later layers winning field by field: class default → `executor.resources`
 * → `executor.classes.<class>` → the stage's own `resources:` in the spec.
 */
export function jobResources(node: GraphNode, settings: ExecutorSettings): JobResources {
  const cls: ResourceClass = node.definition.resources?.class ?? 'light';
  return {
    ...CLASS_DEFAULTS[cls],
    ...settings.resources,
    ...settings.classes?.[cls],
    ...settings.stages?.[node.stageId],
  };
}
