// Public API of @serx/stage-features.

export * from './audio/index.ts';
export * from './corpora/index.ts';
export * from './labels/index.ts';
export * from './mfcc/index.ts';
export { plugin, plugin as default } from './plugin.ts';
export * from './split/index.ts';
export * from './stages/index.ts';
export * from './store/index.ts';
export { extractionPool, runTask, WorkerPool } from './workers/index.ts';
