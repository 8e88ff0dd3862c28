// Public API of @serx/core. Each module adds its exports here (one line per module).
export * from './contract.ts';
export * from './errors.ts';
export type * from './graph/types.ts';
