import type { Graph, GraphNode } from '../../graph/types.ts';
import type { Plan } from '../plan.ts';
import type { ExecutorSettings } from './executor-config.ts';
import { jobResources, sbatchArgs } from './resources.ts';

/** What `serx plan --executor slurm` shows for a node that would be submitted. */
export interface PlannedJob {
  executor: string;
  resources: ReturnType<typeof jobResources>;
  /** The submission arguments (sbatch) for these resources. */
  args: string[];
}

/** Per node that misses or waits: the job it would be submitted as; undefined for local executors. */
export function plannedJobs(
  graph: Graph,
  plan: Plan,
  settings: ExecutorSettings,
): { [nodeId: string]: PlannedJob } | undefined {
  if (settings.kind !== 'slurm') return undefined;
  const jobs: { [nodeId: string]: PlannedJob } = {};
  for (const planned of plan.nodes) {
    if (planned.status === 'hit') continue;
    const resources = jobResources(graph.nodes.get(planned.id) as GraphNode, settings);
    jobs[planned.id] = { executor: settings.kind, resources, args: sbatchArgs(resources) };
  }
  return jobs;
}
