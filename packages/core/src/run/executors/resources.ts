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

/** A stage's `resources:` in the spec: its job's resources and, optionally, the class it counts as. */
export interface StageJobSettings extends JobResources {
  class?: ResourceClass;
}

/** The class a node's job is sized and grouped by: the spec's `resources.class`, else the stage's own, else light. */
export function jobClass(node: GraphNode, settings: ExecutorSettings): ResourceClass {
  return settings.stages?.[node.stageId]?.class ?? node.definition.resources?.class ?? 'light';
}

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
  const cls = jobClass(node, settings);
  const { class: _, ...own } = settings.stages?.[node.stageId] ?? {};
  return {
    ...CLASS_DEFAULTS[cls],
    ...settings.resources,
    ...settings.classes?.[cls],
    ...own,
  };
}

/** `time` in minutes (sbatch's forms: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS). */
export function timeMinutes(time: string | number): number {
  if (typeof time === 'number') return time;
  const [days, rest] = time.includes('-') ? (time.split('-') as [string, string]) : ['0', time];
  const parts = rest.split(':').map(Number);
  const d = Number(days) * 24 * 60;
  if (time.includes('-')) {
    const [h = 0, m = 0, s = 0] = parts;
    return d + h * 60 + m + s / 60;
  }
  if (parts.length === 1) return parts[0] as number;
  if (parts.length === 2) return (parts[0] as number) + (parts[1] as number) / 60;
  const [h = 0, m = 0, s = 0] = parts;
  return h * 60 + m + s / 60;
}

function formatMinutes(minutes: number): string {
  const total = Math.ceil(minutes * 60);
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const hms = [h, m, s].map((n) => String(n).padStart(2, '0')).join(':');
  return d > 0 ? `${d}-${hms}` : hms;
}

const MEM_UNITS: { [unit: string]: number } = { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 };

function memMegabytes(mem: string): number {
  const match = /^(\d+)([KMGT]?)$/.exec(mem);
  return match ? Number(match[1]) * (MEM_UNITS[match[2] || 'M'] as number) : 0;
}

/**
 * One job's resources for several nodes run one after another (a job group): the most CPUs and
 * memory any of them asks, the sum of their time limits; partition, account, QoS, gres and extra
 * arguments must agree (a node that names none takes the others'). Undefined when they do not.
 */
export function unitResources(all: readonly JobResources[]): JobResources | undefined {
  const merged: JobResources = {};
  let time: number | undefined;
  for (const r of all) {
    if (r.cpus !== undefined) merged.cpus = Math.max(merged.cpus ?? 0, r.cpus);
    if (r.mem !== undefined && (merged.mem === undefined || memMegabytes(r.mem) > memMegabytes(merged.mem)))
      merged.mem = r.mem;
    if (r.time !== undefined) time = (time ?? 0) + timeMinutes(r.time);
    for (const field of ['gres', 'partition', 'account', 'qos'] as const) {
      const value = r[field];
      if (value === undefined) continue;
      if (merged[field] !== undefined && merged[field] !== value) return undefined;
      merged[field] = value;
    }
    if (r.extra?.length) {
      if (merged.extra && merged.extra.join('\0') !== r.extra.join('\0')) return undefined;
      merged.extra = r.extra;
    }
  }
  if (time !== undefined)
    merged.time = all.length === 1 ? (all[0]?.time as string | number) : formatMinutes(time);
  return merged;
}
