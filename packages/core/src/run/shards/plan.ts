import type { ShardRange } from '../../plugins/shard-contract.ts';

export { type ShardSetting, shardLabel, shardRanges } from '../../plugins/shard-contract.ts';

/** The directory name of a range's output under `<work dir>/shards/`. */
export function shardDirName(range: Pick<ShardRange, 'start' | 'end'>): string {
  return `rows-${range.start}-${range.end}`;
}

/** Reports an aggregate `done / total` on a progress channel: `total` only when it or its label changes, else ticks. */
export function progressSetter(progress: {
  total(units: number, label?: string): void;
  tick(units?: number): void;
}) {
  let total = -1;
  let label: string | undefined;
  let done = 0;
  return (nextDone: number, nextTotal: number, nextLabel: string) => {
    if (nextTotal !== total || nextLabel !== label || nextDone < done) {
      total = nextTotal;
      label = nextLabel;
      done = 0;
      progress.total(total, label);
    }
    if (nextDone > done) progress.tick(nextDone - done);
    done = nextDone;
  };
}
