// Public API of @serx/core. Each module adds its exports here (one line per module).
export * from './contract.ts';
export * from './errors.ts';
export type * from './graph/types.ts';
export { Cache, openCache, type Lookup, type Staging } from './cache/cache.ts';
export { cacheKey, type CacheKeyInput } from './cache/key.ts';
export { canonicalJson } from './cache/canonical-json.ts';
export { contentHash } from './cache/hash-tree.ts';
export type { EntryManifest, OutputManifest } from './cache/manifest.ts';
export { gc, type GcOptions, type GcReport } from './cache/gc.ts';
export { runGraph, type RunOptions } from './run/run-graph.ts';
export type { RunSummary } from './run/summary.ts';
export type { RunEvent, NodeState } from './run/events.ts';
export type { RunRecord, StageRecord } from './run/record.ts';
export { type Executor, type StageTask, InProcessExecutor } from './run/executor.ts';
export * from './tracking/index.ts';
export * from './backend/index.ts';
