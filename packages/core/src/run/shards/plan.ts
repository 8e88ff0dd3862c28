import type { ShardRange } from '../../plugins/shard-contract.ts';
import type { ShardSetting } from '../../spec/shards.ts';

export type { ShardSetting };

/**
 * Contiguous ranges covering `rows`: `count` shards (sizes differ by at most one, the larger
 * first), or shards of `size` rows (the last one shorter). Never an empty shard: more shards
 * than rows gives one shard per row, and no rows gives one empty shard (the merge still writes
 * the stage's empty output).
 */
export function shardRanges(rows: number, setting: ShardSetting): ShardRange[] {
  if ('size' in setting) {
    const count = Math.max(1, Math.ceil(rows / setting.size));
    return Array.from({ length: count }, (_, index) => ({
      index,
      count,
      start: index * setting.size,
      end: Math.min(rows, (index + 1) * setting.size),
    }));
  }
  const count = Math.max(1, Math.min(setting.count, rows));
  const base = Math.floor(rows / count);
  const extra = rows % count;
  const ranges: ShardRange[] = [];
  let start = 0;
  for (let index = 0; index < count; index++) {
    const end = start + base + (index < extra ? 1 : 0);
    ranges.push({ index, count, start, end });
    start = end;
  }
  return ranges;
}

/** `shard 2/4 (rows 1213–2424)`, 1-based for people. */
export function shardLabel(range: ShardRange): string {
  return `shard ${range.index + 1}/${range.count} (rows ${range.start + 1}–${range.end})`;
}

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
