export * from './compare.ts';
export * from './flatten-params.ts';
export * from './journal.ts';
export * from './mlflow-client.ts';
export * from './mlflow-server.ts';
export * from './mlflow-tracker.ts';
export * from './replay.ts';
export * from './sync.ts';
export type * from './types.ts';
