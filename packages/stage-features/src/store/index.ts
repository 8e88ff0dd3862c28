export * from './format.ts';
export { FeatureStoreWriter, type FeatureStoreWriterOptions } from './writer.ts';
export { openFeatureStore, type FeatureStore, type RowFilter } from './reader.ts';
