export { type SplitOptions, type SplitResult, splitUtterances } from './apply.ts';
export type { LeakageReport, PartitionSummary } from './leakage.ts';
export { paperRule } from './paper.ts';
export type { Partition, SharedSpeaker, SplitRule } from './types.ts';
export { PARTITIONS } from './types.ts';
