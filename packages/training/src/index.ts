// Public API of @serx/training: the one training kit of the model stages.
export * from './adam.ts';
export * from './adam-state.ts';
export * from './batching.ts';
export * from './checkpoint.ts';
export * from './fingerprint.ts';
export * from './fit.ts';
export * from './history.ts';
export * from './lr-schedule.ts';
export * from './report.ts';
export * from './selection.ts';
export * from './spec-augment.ts';
export * from './step.ts';
export type { Tf } from './tf.ts';
