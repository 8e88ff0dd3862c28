import { SerxError } from '@serx/core';
import { FeaturesErrors } from '../errors.ts';
import { PARTITIONS, type Partition, type ResolvedRule } from './types.ts';

/** Speakers named in a list go to that partition; every other speaker goes to `rest`. */
export function speakerListRule(
  lists: Partial<Record<Partition, string[]>>,
  rest: Partition | 'drop',
  description?: string,
): ResolvedRule {
  const bySpeaker = new Map<string, Partition>();
  for (const partition of PARTITIONS) {
    for (const speaker of lists[partition] ?? []) {
      const other = bySpeaker.get(speaker);
      if (other && other !== partition) {
        throw new SerxError(
          FeaturesErrors.SPLIT_LEAKAGE,
          `split rule lists speaker '${speaker}' under both ${other} and ${partition}`,
        );
      }
      bySpeaker.set(speaker, partition);
    }
  }
  const describe = PARTITIONS.filter((p) => lists[p]?.length).map((p) => `${p}: ${lists[p]!.join(' ')}`);
  return {
    description: description ?? `speakers (${describe.join('; ')}; rest ${rest})`,
    assign: (u) => bySpeaker.get(u.speaker) ?? rest,
    allowedShared: [],
  };
}
