import type { Partition, ResolvedRule } from './types.ts';

/** Every utterance to one partition. */
export function constantRule(partition: Partition, description: string): ResolvedRule {
  return { description, assign: () => partition, allowedShared: [] };
}
