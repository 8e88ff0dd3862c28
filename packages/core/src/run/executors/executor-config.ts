/**
 * Which executor runs a spec's stages, and the cluster settings it uses. Sources, later winning:
 * `serx.config.yaml` (nearest one from the current directory up) → the spec's `executor:` →
 * `$SERX_EXECUTOR` (kind only) → `serx run --executor` (kind only). So one spec runs unchanged on a
 * laptop and on a cluster (`SERX_EXECUTOR=slurm nx run experiments:paper`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Json } from '../../contract.ts';
import { SerxError } from '../../errors.ts';
import type { ResolvedSpec } from '../../graph/types.ts';
import { schemaValidator } from '../../plugins/validators.ts';
import { yaml } from '../../spec/yaml-tree.ts';
import { EXECUTOR_SCHEMA, STAGE_RESOURCES_SCHEMA } from './executor-schema.ts';
import { DEFAULT_EXECUTOR, executorKinds, isExecutorKind } from './registry.ts';
import type { JobResources, ResourceClass, StageJobSettings } from './resources.ts';

export interface ExecutorSettings {
  /** A kind registered in `registry.ts`: in-process, process, workers, slurm, local-jobs... */
  kind: string;
  /** Where `kind` came from (for `serx plan` and errors). */
  from: string;
  resources?: JobResources;
  classes?: { [c in ResourceClass]?: JobResources };
  /** Per stage id, from each stage's `resources:` (with the cost class it may set). */
  stages?: { [stageId: string]: StageJobSettings };
  /** Per stage id, the stage's `group:`: nodes of one group that are connected share a job. */
  groups?: { [stageId: string]: string };
  /** Which nodes share a job: `auto` (default: groups + light stages with one upstream), `explicit`, `off`. */
  grouping?: 'auto' | 'explicit' | 'off';
  /** Per group name, how many unconnected parts of it one job takes (default 1). */
  groupComponents?: { [group: string]: number };
  /** Matrix variants of one stage ready together go out as one job array (default true). */
  arrays?: boolean;
  /** How a cluster job runs its stages: in its own process (default) or a child process each. */
  jobStageExecutor?: 'in-process' | 'process' | 'workers';
  /** Seconds between scheduler polls. */
  poll?: number;
  maxJobs?: number;
}

const GROUP_NAME = /^[A-Za-z_][\w.-]*$/;

// Compiled once per schema content, not per process (plugins/validators.ts).
const checkExecutor = schemaValidator(EXECUTOR_SCHEMA, 'plain');
const checkResources = schemaValidator(STAGE_RESOURCES_SCHEMA, 'plain');

function checked<T>(check: typeof checkExecutor, value: unknown, where: string, path: string): T {
  if (check(value)) return value as T;
  const first = check.errors?.[0];
  const at = `${path}${first?.instancePath.replace(/\//g, '.') ?? ''}`;
  throw new SerxError('SPEC_INVALID', `${where}: ${at}: ${first?.message ?? 'invalid'}`, { specPath: at });
}

/** The nearest `serx.config.yaml` from `cwd` upwards, if any. */
export function findConfigFile(cwd: string): string | undefined {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const file = join(dir, 'serx.config.yaml');
    if (existsSync(file)) return file;
    if (dirname(dir) === dir) return undefined;
  }
}

function readConfigExecutor(file: string): { [key: string]: Json } | undefined {
  let doc: unknown;
  try {
    doc = yaml().parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SerxError('SPEC_YAML', `${file}: ${(error as Error).message}`, { cause: error });
  }
  const executor = (doc as { executor?: unknown } | null)?.executor;
  return executor === undefined ? undefined : checked(checkExecutor, executor, file, 'executor');
}

export function executorSettings(
  spec: ResolvedSpec,
  io: { cwd: string; env: NodeJS.ProcessEnv },
  flag?: string,
): ExecutorSettings {
  const configFile = findConfigFile(io.cwd);
  const fromConfig = configFile ? readConfigExecutor(configFile) : undefined;
  const fromSpec =
    spec.document.executor === undefined
      ? undefined
      : checked<{ [key: string]: Json }>(checkExecutor, spec.document.executor, spec.file, 'executor');
  const stages: { [id: string]: StageJobSettings } = {};
  const groups: { [id: string]: string } = {};
  for (const [id, stage] of Object.entries((spec.document.stages ?? {}) as { [id: string]: Json })) {
    const { resources, group } = (stage ?? {}) as { resources?: Json; group?: Json };
    if (resources !== undefined)
      stages[id] = checked(checkResources, resources, spec.file, `stages.${id}.resources`);
    if (group === undefined || group === null) continue;
    if (typeof group !== 'string' || !GROUP_NAME.test(group))
      throw new SerxError(
        'SPEC_INVALID',
        `${spec.file}: stages.${id}.group: a group name ([A-Za-z_][A-Za-z0-9_.-]*), got ${JSON.stringify(group)}`,
        { specPath: `stages.${id}.group` },
      );
    groups[id] = group;
  }
  const layers = [fromConfig ?? {}, fromSpec ?? {}] as Partial<ExecutorSettings>[];
  const merged: Partial<ExecutorSettings> = {};
  for (const layer of layers) {
    if (layer.resources) merged.resources = { ...merged.resources, ...layer.resources };
    for (const [cls, r] of Object.entries(layer.classes ?? {}))
      merged.classes = { ...merged.classes, [cls]: { ...merged.classes?.[cls as ResourceClass], ...r } };
    if (layer.poll !== undefined) merged.poll = layer.poll;
    if (layer.maxJobs !== undefined) merged.maxJobs = layer.maxJobs;
    if (layer.grouping !== undefined) merged.grouping = layer.grouping;
    if (layer.arrays !== undefined) merged.arrays = layer.arrays;
    if (layer.jobStageExecutor !== undefined) merged.jobStageExecutor = layer.jobStageExecutor;
    if (layer.groupComponents)
      merged.groupComponents = { ...merged.groupComponents, ...layer.groupComponents };
  }
  const candidates: [string | undefined, string][] = [
    [flag, '--executor'],
    [io.env.SERX_EXECUTOR || undefined, '$SERX_EXECUTOR'],
    [fromSpec?.kind as string | undefined, `${spec.file} executor.kind`],
    [fromConfig?.kind as string | undefined, `${configFile} executor.kind`],
  ];
  const [kind, from] = candidates.find(([value]) => value !== undefined) ?? [DEFAULT_EXECUTOR, 'default'];
  if (!isExecutorKind(kind as string))
    throw new SerxError(
      'USAGE',
      `${from}: unknown executor '${kind}' (one of ${executorKinds().join(', ')})`,
    );
  return {
    ...merged,
    kind: kind as string,
    from,
    ...(Object.keys(stages).length ? { stages } : {}),
    ...(Object.keys(groups).length ? { groups } : {}),
  };
}
