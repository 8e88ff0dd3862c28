export type { Partition, SplitRule, SharedSpeaker } from './types.ts';
export { PARTITIONS } from './types.ts';
export { splitUtterances, type SplitOptions, type SplitResult } from './apply.ts';
export type { LeakageReport, PartitionSummary } from './leakage.ts';
export { paperRule } from './paper.ts';
