import type { Graph, GraphNode } from '../../graph/types.ts';
import type { Plan } from '../plan.ts';
import { batchLogPath, jobName, unitJobName } from './batch-executor.ts';
import { JOB_ID } from './batch-scheduler.ts';
import type { ExecutorSettings } from './executor-config.ts';
import { jobUnits } from './job-units.ts';
import { schedulerOf } from './registry.ts';
import { jobResources } from './resources.ts';

/** What `serx plan --executor <scheduler>` shows for a node that would be submitted. */
export interface PlannedJob {
  executor: string;
  resources: ReturnType<typeof jobResources>;
  /** The scheduler's submission arguments (Slurm: sbatch's), the whole line when known. */
  args: string[];
  /** The job group the node runs in (with the other nodes of `members`), when it shares its job. */
  group?: string;
  members?: string[];
}

/**
 * Per node that misses or waits: the job it would be submitted as; undefined for local executors.
 * Given where the jobs would run (`at`), the arguments are the whole submission line as submitted
 * (Slurm: job name, log path as escaped for sbatch, working directory, resources), else those of
 * the resources; a node whose key is not known yet (pending) shows `<key>` in its place.
 */
export function plannedJobs(
  graph: Graph,
  plan: Plan,
  settings: ExecutorSettings,
  at?: { cacheDir: string; cwd: string },
): { [nodeId: string]: PlannedJob } | undefined {
  const scheduler = schedulerOf(settings.kind);
  if (!scheduler) return undefined;
  const jobs: { [nodeId: string]: PlannedJob } = {};
  const units = jobUnits(
    graph,
    plan.nodes.map((n) => n.id),
    settings,
  );
  const keyOf = new Map(plan.nodes.map((n) => [n.id, n.key]));
  for (const planned of plan.nodes) {
    if (planned.status === 'hit') continue;
    const node = graph.nodes.get(planned.id) as GraphNode;
    const unit = units.of.get(planned.id);
    if (unit && unit.members.length > 1) {
      const rootKey = keyOf.get(unit.roots[0] as string);
      const resourceArgs = scheduler.resourceArgs(unit.resources);
      const args = at
        ? scheduler.submitArgs({
            name: `serx-<hash>-${unitJobName(unit.id, '').slice(22)}`,
            log: batchLogPath(at.cacheDir, settings.kind, rootKey ?? '<key>', JOB_ID),
            cwd: at.cwd,
            args: resourceArgs,
          })
        : resourceArgs;
      jobs[planned.id] = {
        executor: settings.kind,
        resources: unit.resources,
        args,
        group: unit.id,
        members: unit.members,
      };
      continue;
    }
    const resources = jobResources(node, settings);
    const key = planned.key ?? '<key>';
    const resourceArgs = scheduler.resourceArgs(resources);
    const args = at
      ? scheduler.submitArgs({
          name: planned.key ? jobName(node, planned.key) : `serx-<key>-${jobName(node, '').slice(6)}`,
          log: batchLogPath(at.cacheDir, settings.kind, key, JOB_ID),
          cwd: at.cwd,
          args: resourceArgs,
        })
      : resourceArgs;
    jobs[planned.id] = { executor: settings.kind, resources, args };
  }
  return jobs;
}
