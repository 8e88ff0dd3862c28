/**
 * The runs of an MLflow experiment as serx wrote them: which stage and matrix variant each child
 * run is, so that `serx compare` can group them into methods and seeds.
 */
import type { Json } from '../contract.ts';
import { SerxError } from '../errors.ts';
import { MlflowClient, type MlflowRun } from './mlflow-client.ts';

export interface TrackedRun {
  runId: string;
  /** MLflow run name (`ser_frozen seed=3`). */
  name: string;
  /** Spec node id (`ser_frozen[seed=3]`); the parent run's is `''`. */
  nodeId: string;
  stageId: string;
  /** Stage type (`ser:train`), from tag `serx.stage`. */
  stage: string;
  variant: { [axis: string]: Json };
  parentRunId: string | undefined;
  status: string;
  cacheHit: string;
  startTime: number;
  params: { [key: string]: string };
  metrics: { [key: string]: number };
  /**
   * The `--set` overrides the run was made with (tag `serx.overrides`), as typed: they change what
   * was computed, so `serx compare` keeps such runs apart from the spec's own. (`--matrix` and
   * `--variant` only choose which variants run: their runs are the spec's own.)
   */
  overrides: string[];
}

export interface TrackedExperiment {
  experimentId: string;
  uiUrl: string;
  runs: TrackedRun[];
}

export async function readTrackedRuns(trackingUri: string, experiment: string): Promise<TrackedExperiment> {
  const client = new MlflowClient(trackingUri);
  const found = await client.getExperimentByName(experiment);
  if (!found)
    throw new SerxError('TRACKING_NOT_FOUND', `no MLflow experiment named '${experiment}' at ${trackingUri}`);
  const runs = await client.searchRuns([found.experiment_id], '', ['attributes.start_time DESC']);
  return {
    experimentId: found.experiment_id,
    uiUrl: `${client.baseUrl}/#/experiments/${found.experiment_id}`,
    runs: runs.map(trackedRun),
  };
}

function trackedRun(run: MlflowRun): TrackedRun {
  const tags = Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
  const params = Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));
  const name = run.info.run_name ?? tags['mlflow.runName'] ?? run.info.run_id;
  const parentRunId = tags['mlflow.parentRunId'];
  // Runs tracked before `serx.node` existed were named after their node id.
  const nodeId = parentRunId ? (tags['serx.node'] ?? name) : '';
  const stageId = nodeId.replace(/\[.*$/, '');
  return {
    runId: run.info.run_id,
    name,
    nodeId,
    stageId,
    stage: tags['serx.stage'] ?? '',
    variant: tags['serx.variant']
      ? (JSON.parse(tags['serx.variant']) as TrackedRun['variant'])
      : variantOf(nodeId),
    parentRunId,
    status: run.info.status,
    cacheHit: tags['serx.cacheHit'] ?? '',
    startTime: run.info.start_time ?? 0,
    params,
    metrics: Object.fromEntries((run.data.metrics ?? []).map((m) => [m.key, m.value])),
    overrides: setOverrides(tags['serx.overrides']),
  };
}

/** The `--set` entries of a `serx.overrides` tag (a JSON list of the arguments as typed). */
export function setOverrides(tag: string | undefined): string[] {
  if (!tag) return [];
  try {
    const all = JSON.parse(tag) as unknown;
    return Array.isArray(all)
      ? all.filter((o): o is string => typeof o === 'string' && o.startsWith('--set '))
      : [];
  } catch {
    return [];
  }
}

/** `ser_frozen[seed=3,encoder=x]` → `{seed: 3, encoder: 'x'}` (values as JSON when they parse). */
export function variantOf(nodeId: string): { [axis: string]: Json } {
  const inner = /\[(.*)\]$/.exec(nodeId)?.[1];
  if (!inner) return {};
  const variant: { [axis: string]: Json } = {};
  for (const part of inner.split(',')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const raw = part.slice(at + 1);
    let value: Json = raw;
    try {
      value = JSON.parse(raw) as Json;
    } catch {}
    variant[part.slice(0, at)] = value;
  }
  return variant;
}
