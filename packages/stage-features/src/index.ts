// Public API of @serx/stage-features.
export * from './store/index.ts';
export * from './audio/index.ts';
export * from './mfcc/index.ts';
