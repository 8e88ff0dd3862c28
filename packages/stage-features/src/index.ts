// Public API of @serx/stage-features.
export * from './store/index.ts';
