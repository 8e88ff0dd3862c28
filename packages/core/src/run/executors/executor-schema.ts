/** JSON Schemas of the spec's `executor:` block and of a stage's `resources:` (for `serx schema` and checks). */

export const RESOURCES_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  description: 'cluster resources of one job (Slurm: --cpus-per-task, --mem, --time, --gres, ...)',
  properties: {
    cpus: { type: 'integer', minimum: 1, description: 'CPUs of the job; also the stage thread budget' },
    mem: { type: 'string', pattern: '^\\d+[KMGT]?$', description: 'memory per job, e.g. 8G' },
    time: {
      anyOf: [
        { type: 'integer', minimum: 1 },
        { type: 'string', pattern: '^(\\d+-)?\\d+(:\\d{1,2}){0,2}$' },
      ],
      description: 'time limit: minutes, or MM:SS, HH:MM:SS, D-HH:MM:SS',
    },
    gres: { type: 'string', description: 'generic resources, e.g. gpu:1' },
    partition: { type: 'string' },
    account: { type: 'string' },
    qos: { type: 'string' },
    extra: { type: 'array', items: { type: 'string' }, description: 'further sbatch arguments, verbatim' },
  },
};

/** A stage's `resources:` in a spec: its job's resources, and the cost class it is sized and grouped by. */
export const STAGE_RESOURCES_SCHEMA = {
  ...RESOURCES_SCHEMA,
  properties: {
    class: {
      enum: ['light', 'io', 'cpu-heavy'],
      description:
        "the stage's cost class for its job (default: the stage's own): class defaults, and a `light` stage with one upstream runs in its upstream's job",
    },
    ...RESOURCES_SCHEMA.properties,
  },
};

export const EXECUTOR_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  description:
    'where stages run: in-process, process (a child process per stage), workers (threads) or slurm (one job per stage)',
  properties: {
    kind: {
      type: 'string',
      description:
        'executor kind (default process): in-process, process, workers, slurm, local-jobs, or one a scheduler registered',
    },
    resources: { ...RESOURCES_SCHEMA, description: 'defaults for every stage of this spec' },
    classes: {
      type: 'object',
      additionalProperties: false,
      description: "per resource class ('light', 'io', 'cpu-heavy') of the stages",
      properties: { light: RESOURCES_SCHEMA, io: RESOURCES_SCHEMA, 'cpu-heavy': RESOURCES_SCHEMA },
    },
    poll: { type: 'number', exclusiveMinimum: 0, description: 'seconds between squeue polls (default 2)' },
    maxJobs: { type: 'integer', minimum: 1, description: 'jobs in the queue at once (default 500)' },
    grouping: {
      enum: ['auto', 'explicit', 'off'],
      description:
        "which nodes share one job (default auto): auto = the stages' `group:` plus every `light` stage with one upstream in its upstream's job; explicit = `group:` only; off = one job per node",
    },
    groupComponents: {
      type: 'object',
      additionalProperties: { type: 'integer', minimum: 1 },
      description:
        'per group name, how many unconnected parts of the group go into one job (default 1: one job per connected part)',
    },
    jobStageExecutor: {
      enum: ['in-process', 'process', 'workers'],
      description:
        'how a cluster job runs its stages (default in-process: the job is their container; process: a child process each)',
    },
    arrays: {
      type: 'boolean',
      description:
        'matrix variants of one stage that are ready together go out as one job array where the scheduler has them (default true)',
    },
  },
};
