/**
 * The serx plugin contract: everything a stage plugin may rely on, in one file.
 *
 * A plugin package exports stage definitions made with {@link defineStage} (and, for model
 * packages, other registries such as encoder structures). The core never imports a plugin's
 * internals and a plugin never reaches into the core: all exchange goes through the types below.
 *
 * @example
 * ```ts
 * import { defineStage, paramsSchema } from '@serx/core';
 *
 * interface MfccParams { numCeps: number }
 *
 * export const mfcc = defineStage({
 *   name: 'features:mfcc',
 *   version: '1',
 *   description: 'MFCC features for every utterance of a corpus',
 *   params: paramsSchema<MfccParams>({
 *     type: 'object',
 *     additionalProperties: false,
 *     properties: { numCeps: { type: 'integer', minimum: 1, default: 40 } },
 *   }),
 *   inputs: { utterances: { type: 'utterances' }, extra: { type: 'features', many: true, optional: true } },
 *   outputs: { features: { type: 'features' } },
 *   resources: { class: 'cpu-heavy' },
 *   async run(ctx) {
 *     const source = ctx.inputs.utterances.path; // typed from `inputs`: an Artifact
 *     const extras = ctx.inputs.extra ?? []; // `many` + `optional`: readonly Artifact[] | undefined
 *     const dir = ctx.outputs.features; // a fresh directory, published atomically after run()
 *     ctx.progress.total(100);
 *     // ... write shards into dir, ctx.progress.tick() ...
 *     return { meta: { features: { numCeps: ctx.params.numCeps } } };
 *   },
 * });
 * ```
 */

import { recordDefiningModule } from './defining-module.ts';

/** A JSON Schema (draft 2020-12 subset understood by ajv) describing an object. */
export type JsonSchema = { [keyword: string]: unknown };

/**
 * A stage's params schema that also carries the params type `P` its `run` sees (a phantom: it only
 * exists for the type checker). Made by {@link paramsSchema}.
 */
export type ParamsSchema<P> = JsonSchema & { readonly __params?: (params: P) => P };

/**
 * Tags a params JSON Schema with the params type, so that {@link defineStage} infers both the
 * params type and the input types from the definition (TypeScript cannot infer the inputs when the
 * params type is given as `defineStage<P>`). Returns its argument.
 */
export function paramsSchema<P>(schema: JsonSchema): ParamsSchema<P> {
  return schema;
}

/** Any JSON value: params, metadata and metrics must be JSON-serialisable. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * An artifact type name, e.g. `utterances`, `splits`, `features`, `encoder`, `model`,
 * `predictions`, `evaluation`, `figures`, `report`. The runner checks that an input is wired to an
 * output of a compatible type before anything runs.
 */
export type ArtifactType = string;

/** How the runner schedules a stage. */
export interface StageResources {
  /**
   * `light`: bookkeeping, runs alongside anything. `io`: mostly reading/writing files.
   * `cpu-heavy`: gets the whole thread budget; two cpu-heavy stages never run at once.
   */
  class: 'light' | 'io' | 'cpu-heavy';
  /**
   * The stage loads a native addon (e.g. `@tensorflow/tfjs-node`), which cannot live in a worker
   * thread: executors that use worker threads run it in the runner's own thread. Default false.
   */
  native?: boolean;
}

/** One declared input of a stage. */
export interface InputSpec {
  /** Accepted artifact type(s); `'*'` accepts any type. */
  type: ArtifactType | readonly ArtifactType[];
  /** Accepts a list of upstream artifacts (e.g. features of several corpora); default false. */
  many?: boolean;
  /** May be left unwired; default false. */
  optional?: boolean;
  /**
   * The stage *fits* something on this data: training, validation/model selection, normalisation
   * statistics or pretraining. A corpus named in the spec's `heldOut:` must never reach such an
   * input; the runner proves it from lineage before running anything.
   */
  fits?: boolean;
  description?: string;
}

/** The declared inputs of a stage, by name. */
export type InputSpecs = { readonly [name: string]: InputSpec };

/** What one declared input resolves to: a list for `many` inputs, else one artifact. */
export type InputArtifact<S extends InputSpec> = S extends { many: true }
  ? readonly Artifact[]
  : 'many' extends keyof S
    ? S['many'] extends false
      ? Artifact
      : Artifact | readonly Artifact[]
    : Artifact;

type IsOptional<S extends InputSpec> = 'optional' extends keyof S
  ? S['optional'] extends false
    ? false
    : true
  : false;

/**
 * `ctx.inputs` of a stage with inputs `I`: each declared input, an array for `many`, possibly
 * undefined for `optional`. For the general {@link InputSpecs} it is the loose map (any name, either
 * shape, possibly missing).
 */
export type StageInputs<I extends InputSpecs> = {
  readonly [K in keyof I as IsOptional<I[K]> extends true ? never : K]: InputArtifact<I[K]>;
} & {
  readonly [K in keyof I as IsOptional<I[K]> extends true ? K : never]?: InputArtifact<I[K]>;
};

/** One declared output of a stage. */
export interface OutputSpec {
  type: ArtifactType;
  description?: string;
}

/** A resolved upstream output, as a stage sees it. Treat `path` as read-only. */
export interface Artifact {
  /** Directory holding the output's files. */
  readonly path: string;
  readonly type: ArtifactType;
  /** Content hash of the output directory (sha256 over its manifest). */
  readonly hash: string;
  /** Id of the producing stage in the spec, with its matrix variant, e.g. `ser_frozen[seed=1]`. */
  readonly producer: string;
  /** Metadata the producer returned for this output. */
  readonly meta: { readonly [key: string]: Json };
  /** Corpora whose data flowed into this artifact (static lineage). */
  readonly corpora: readonly string[];
}

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

/** Progress of the current stage; the runner renders bars, rates and ETA from it. */
export interface ProgressReporter {
  /** Set (or reset) the number of work units, with an optional label such as `epoch 3/20`. */
  total(units: number, label?: string): void;
  /** Mark `units` (default 1) more units done. */
  tick(units?: number): void;
}

/**
 * Tracking events of the current stage. The runner records them in the local run record and,
 * when tracking is enabled, forwards them to MLflow (params flattened, metrics with steps).
 */
export interface MetricsSink {
  /** A metric value; `step` is e.g. the epoch. */
  metric(name: string, value: number, step?: number): void;
  /** A tag on the stage's tracking run. */
  tag(name: string, value: string): void;
  /** A file inside one of this stage's output directories to upload as a tracking artifact. */
  artifact(path: string): void;
}

/**
 * What a stage's `run` receives. A helper that takes the context of a stage can name its inputs:
 * `const inputs = { utterances: { type: 'utterances' } } as const satisfies InputSpecs;` then
 * `function helper(ctx: StageContext<SplitParams, typeof inputs>)`.
 */
export interface StageContext<P = Record<string, Json>, I extends InputSpecs = InputSpecs> {
  /** Id of this stage in the spec (with matrix variant suffix). */
  readonly id: string;
  /** Validated params, with JSON Schema defaults applied. */
  readonly params: P;
  /** Resolved inputs, typed from the declared `inputs`: one artifact, a list for `many`, missing when optional and unwired. */
  readonly inputs: StageInputs<I>;
  /** One fresh, empty directory per declared output. Published atomically after `run` resolves. */
  readonly outputs: { readonly [name: string]: string };
  /**
   * A private directory that survives a crash or kill of this stage and is handed back on the next
   * attempt with the same cache key (checkpoints live here). Removed after a successful publish.
   */
  readonly workDir: string;
  readonly log: Logger;
  readonly progress: ProgressReporter;
  readonly metrics: MetricsSink;
  /** Seed for every random choice the stage makes (from the spec; part of the cache key). */
  readonly seed: number;
  /** Aborted on Ctrl-C or when the run fails elsewhere; stop promptly and throw `signal.reason`. */
  readonly signal: AbortSignal;
  /** Number of threads this stage may use (native math, worker pools). */
  readonly threads: number;
  /** Corpora the spec holds out; a defence-in-depth check for stages that read indices. */
  readonly heldOut: readonly string[];
}

/** What `run` may return. */
export interface StageResult {
  /** Metadata per output name, stored in the manifest and handed to consumers as `Artifact.meta`. */
  meta?: { [output: string]: { [key: string]: Json } };
  /** Final scalar metrics of the stage (e.g. UA per corpus), tracked as summary metrics. */
  metrics?: { [name: string]: number };
}

/** What core tells a stage's {@link StageDefinition.fingerprint} besides its params. */
export interface FingerprintContext {
  /**
   * sha256 of the stage's code fingerprint with these params (the `code` of its cache key: its
   * module, its `codeDependencies` and everything they import); absent when core does not know
   * the stage's module (a stage object defined inline).
   */
  code?: string;
}

/**
 * A stage definition. `P` is the params type the stage's `run` sees; `params` must be a JSON
 * Schema for it (ajv validates spec params against it, applying defaults). `I` are the declared
 * inputs, from which `ctx.inputs` is typed.
 */
export interface StageDefinition<P = any, I extends InputSpecs = InputSpecs> {
  /** Namespaced name, `<plugin>:<stage>`, e.g. `features:mfcc`. Unique across loaded plugins. */
  name: string;
  /**
   * Part of the cache key. The stage's code is in the key already (the module that defines it and
   * everything it imports), so bump this only to force a rerun without a code change.
   */
  version: string;
  description?: string;
  /**
   * JSON Schema of the params object, tagged with its type by {@link paramsSchema}. Unknown params
   * are errors (`additionalProperties: false`).
   */
  params: ParamsSchema<P>;
  inputs: I;
  outputs: { [name: string]: OutputSpec };
  resources?: StageResources;
  /**
   * Set for model-level stages (training, evaluation): the tracker opens one nested MLflow run for
   * each execution (and, on a cache hit, a run tagged with the run that produced the artifact).
   */
  tracked?: boolean;
  /**
   * Corpora this stage *emits*, from its params and its inputs' corpora. Default: the union of
   * the inputs' corpora. Ingest stages return the corpus they read; a filtering stage returns
   * what survives its filter. Used for the held-out lineage proof.
   */
  corpora?(params: P, inputs: { [name: string]: readonly string[] }): string[];
  /**
   * Fingerprint of data the stage reads from outside the cache (e.g. a corpus folder: file names,
   * sizes and modification times). Included in the cache key so a changed corpus is a miss.
   * `stage.code` identifies the stage's code with these params, so work derived from the data (a
   * corpus listing) can be kept between processes and reused only by the same code.
   */
  fingerprint?(params: P, signal: AbortSignal, stage?: FingerprintContext): Promise<string>;
  /**
   * Registry entries `run` uses with these params, e.g. the encoder structure named by
   * `params.structure`: objects made by a `define*` function that calls
   * {@link recordDefiningModule}, or absolute file paths. The source of the module defining each,
   * and of everything it imports, is part of the cache key (like the stage's own module).
   */
  codeDependencies?(params: P): (object | string)[];
  /**
   * For a stage whose ports are declared by each spec node that uses it (the built-in `command`
   * stage): given the input names wired under the node's `inputs:` and its `outputs:` map (output
   * name → artifact type), returns that node's ports; throw a SerxError to reject the declaration.
   * The graph then checks wiring and types against them as against declared ports, and the node's
   * params carry the returned outputs as `params.outputs` (name → type): they are in the cache key
   * and reach `run` in whichever process or cluster job runs it. `inputs`/`outputs` above stay the
   * ports of a node that declares none.
   */
  specPorts?(declared: SpecPortsDeclaration): { inputs: InputSpecs; outputs: { [name: string]: OutputSpec } };
  run(ctx: StageContext<P, I>): Promise<StageResult | void>;
}

/** What a spec node declares for a stage with {@link StageDefinition.specPorts}. */
export interface SpecPortsDeclaration {
  /**
   * The inputs wired under the node's `inputs:`, in spec order; `list` when the node wires a list
   * (a YAML sequence, or a `[*]` reference), which a `many` input takes.
   */
  inputs: readonly { name: string; list: boolean }[];
  /** The node's `outputs:` map as written (output name → artifact type), `{}` when absent. */
  outputs: { readonly [name: string]: Json };
  /** The node's params as written (before validation; `${matrix.*}` expressions unresolved). */
  params: { readonly [key: string]: Json };
}

/**
 * An artifact type a plugin owns, with the check an output declared with that type by a spec
 * (a `command` stage's `outputs:`) must pass before it is published.
 */
export interface ArtifactTypeDefinition {
  /** The type name (`features`, `predictions`...). */
  name: string;
  /** One line for docs and errors: what a directory of this type holds. */
  description: string;
  /**
   * Checks a directory claimed to be of this type. Resolves to undefined when it is valid, else to
   * what is wrong (`index.jsonl:3: row 'a01' lacks string field 'pred'`). Must not modify `dir`.
   */
  validate(dir: string): Promise<string | undefined>;
}

/**
 * Declares a stage. It returns its argument (it exists so that `run(ctx)` is typed: its params from
 * `params: paramsSchema<P>(...)`, its inputs from `inputs`), after noting the calling module: that
 * module's source is part of the stage's cache key.
 */
export function defineStage<P = Record<string, Json>, const I extends InputSpecs = InputSpecs>(
  definition: StageDefinition<P, I>,
): StageDefinition<P, I> {
  return recordDefiningModule(definition);
}

/** Where a CLI command writes and where it runs. */
export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/**
 * A `serx <name>` sub-command contributed by a plugin (e.g. `serx features` from the features
 * plugin, `serx report` from the analysis plugin). Returns the process exit code
 * (0 ok, 1 failure, 2 usage/spec error).
 */
export interface CliCommand {
  name: string;
  /** One line for `serx --help`. */
  summary: string;
  /** Usage text for `serx <name> --help`. */
  usage: string;
  run(argv: string[], io: CliIO): Promise<number>;
}

/**
 * A check `serx doctor` runs for a plugin, e.g. the TensorFlow backend of the model plugins. Plugins
 * that share a check list the same one: doctor runs each name once.
 */
export interface DoctorCheck {
  name: string;
  /** Lines to print (`<what>: <finding>`); never throws: a failed check says so in its lines. */
  run(): Promise<string[]>;
}

/**
 * A named step of `serx setup`: something a plugin needs provisioned on the machine before its
 * stages run at full speed (a native addon to build, a library to download). Plugins that share a
 * step list the same one: setup runs each name once, in the order first listed. A step is
 * idempotent: done already, it says so and returns.
 */
export interface ProvisionStep {
  name: string;
  /**
   * Runs only when asked for by name (`serx setup --with <name>`, or `--force <name>`), e.g. a
   * library under a licence the user must accept; `--check` reports it without failing. Default false.
   */
  optIn?: boolean;
  /** Read-only: whether the step is done (`serx setup --check`). */
  check(): Promise<{ ok: boolean; detail: string }>;
  /**
   * Does the step. `force`: redo it even when done (`serx setup --force`). Progress goes to the
   * terminal; a failure the plugin can live with (a fallback exists) is said there and resolves.
   */
  run(options: { force: boolean; retryCommand: string }): Promise<void>;
}

/**
 * What a plugin package exports (as its default export or as a named `plugin` export): its
 * name and version (part of every cache key of its stages) and its stages.
 */
export interface SerxPlugin {
  name: string;
  version: string;
  stages: StageDefinition[];
  /** Extra `serx` sub-commands. The CLI loads the default plugins to find them. */
  commands?: CliCommand[];
  /** Environment checks for `serx doctor`. */
  doctor?: DoctorCheck[];
  /**
   * Artifact types this plugin owns the format of, with their checks: a `command` stage's output
   * declared with one of these types is validated by it before publishing.
   */
  artifactTypes?: ArtifactTypeDefinition[];
  /** Provisioning steps for `serx setup` (native addons, downloaded libraries). */
  provision?: ProvisionStep[];
  /**
   * Called once when the plugin is loaded, in every process that runs its stages (e.g. to register
   * encoder structures or corpus readers). Not related to `serx setup` (that is {@link provision}).
   */
  register?(): void | Promise<void>;
}

/** Declares a plugin; returns its argument. */
export function definePlugin(plugin: SerxPlugin): SerxPlugin {
  return recordDefiningModule(plugin);
}
