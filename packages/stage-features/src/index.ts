// Public API of @serx/stage-features.
export * from './store/index.ts';
export * from './audio/index.ts';
export * from './mfcc/index.ts';
export * from './corpora/index.ts';
export * from './labels/index.ts';
export * from './split/index.ts';
export * from './stages/index.ts';
export { extractionPool, runTask, WorkerPool } from './workers/index.ts';
export { plugin } from './plugin.ts';
export { plugin as default } from './plugin.ts';
