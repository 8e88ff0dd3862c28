export { applyMeanStd } from './apply.ts';
export { StatisticsCollector } from './collector.ts';
export { type NormaliseMode, normaliseMode, type StatsFrom } from './mode.ts';
export * from './moments.ts';
export { checkStatsSource, type Normaliser, resolveNormaliser } from './normaliser.ts';
export { readStatistics, STATISTICS_FILE, type StatisticsFile, writeStatistics } from './statistics-file.ts';
