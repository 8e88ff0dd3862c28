export { featureStoreProblem } from './check-store.ts';
export * from './format.ts';
export { type FeatureStore, openFeatureStore, type RowFilter } from './reader.ts';
export { FeatureStoreWriter, type FeatureStoreWriterOptions } from './writer.ts';
