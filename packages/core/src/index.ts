// Public API of @serx/core. Each module adds its exports here (one line per module).

export { Cache, type Lookup, openCache, type Staging } from './cache/cache.ts';
export { canonicalJson } from './cache/canonical-json.ts';
export type { CodeFingerprint } from './cache/code/code-fingerprint.ts';
export { contentHash } from './cache/hash-tree.ts';
export { type CacheKeyInput, cacheKey } from './cache/key.ts';
export type { EntryManifest, OutputManifest } from './cache/manifest.ts';
/** The study plugin `serx init` scaffolds (the wide-cnn walk-through), by file name: one source for docs and tests. */
export { STUDY_PLUGIN_FILES } from './cli/commands/init-templates.ts';
export { main } from './cli/main.ts';
export { overridesOf } from './cli/overrides.ts';
export { specJsonSchema } from './cli/spec-json-schema.ts';
export * from './contract.ts';
export { definingModule, recordDefiningModule } from './defining-module.ts';
export * from './errors.ts';
export { type LoadSpecOptions, loadSpec } from './graph/load-spec.ts';
export { type GraphFormat, renderGraph } from './graph/render.ts';
export type * from './graph/types.ts';
export { loadPlugin, loadPlugins } from './plugins/load-plugins.ts';
export { addPathFormats } from './plugins/params-schema.ts';
export { createRegistry, type RegisteredStage, type Registry } from './plugins/registry.ts';
export {
  schemaValidator,
  type Validator,
  type ValidatorProfile,
} from './plugins/validators.ts';
export type { ContextChannels, ContextData } from './run/context.ts';
export type { NodeState, RunEvent } from './run/events.ts';
export {
  type Executor,
  InProcessExecutor,
  isNodeExecutor,
  type NodeExecutor,
  type NodeJob,
  type NodeTask,
  type StageExecutor,
  type StageTask,
} from './run/executor.ts';
export {
  type BatchJob,
  type BatchScheduler,
  FINISHED_STATES,
  JOB_ID,
  type JobStatus,
} from './run/executors/batch-scheduler.ts';
export {
  createExecutor,
  DEFAULT_EXECUTOR,
  type ExecutorContext,
  type ExecutorKind,
  executorKinds,
  registerExecutor,
  registerScheduler,
} from './run/executors/registry.ts';
export { type GcOptions, type GcReport, gc } from './run/gc.ts';
export { type Plan, type PlannedNode, planGraph } from './run/plan.ts';
export { ProcessExecutor, type ProcessExecutorOptions } from './run/process-executor.ts';
export type { RunRecord, StageRecord } from './run/record.ts';
export { type RunOptions, runGraph } from './run/run-graph.ts';
export type { RunSummary } from './run/summary.ts';
export { type WorkerExecutorOptions, WorkerThreadExecutor } from './run/worker-executor.ts';
export * from './seeded-random.ts';
export type { AppliedOverride, SpecOverride } from './spec/overrides.ts';
export { SpecIssuesError } from './spec/spec-error.ts';
export * from './stats/special.ts';
export * from './stats/t-interval.ts';
export { threadBudget } from './threads.ts';
export * from './tracking/index.ts';
