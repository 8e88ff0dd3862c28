// Public API of @serx/stage-ser.
export * from './metrics.ts';
