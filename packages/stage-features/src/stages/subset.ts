import type { Utterance } from '../corpora/types.ts';

export interface SubsetOptions {
  limit?: number;
  perClass?: number;
  perSpeaker?: number;
}

/**
 * A deterministic smoke-sized subset, in the reader's order: at most `perSpeaker` per speaker
 * (spread over labels), `perClass` per label (spread over speakers), then `limit` in all (spread
 * over speakers), so a small subset still covers every speaker, label and partition it can.
 */
export function subset(utterances: readonly Utterance[], options: SubsetOptions): Utterance[] {
  let rows = [...utterances];
  const label = (u: Utterance) => String(u.label);
  const speaker = (u: Utterance) => u.speaker;
  if (options.perSpeaker !== undefined) rows = perGroup(rows, speaker, label, options.perSpeaker);
  if (options.perClass !== undefined) rows = perGroup(rows, label, speaker, options.perClass);
  if (options.limit !== undefined) rows = spread(rows, speaker, options.limit);
  const order = new Map(utterances.map((u, i) => [u, i]));
  return rows.sort((a, b) => order.get(a)! - order.get(b)!);
}

function perGroup(
  rows: Utterance[],
  group: (u: Utterance) => string,
  within: (u: Utterance) => string,
  n: number,
): Utterance[] {
  return [...groupBy(rows, group).values()].flatMap((members) => spread(members, within, n));
}

/** Up to `n` items taken round-robin over the groups of `key`, in first-seen order. */
function spread(rows: Utterance[], key: (u: Utterance) => string, n: number): Utterance[] {
  const queues = groupBy(rows, key);
  const out: Utterance[] = [];
  while (out.length < n && queues.size > 0) {
    for (const [k, queue] of queues) {
      if (out.length >= n) break;
      out.push(queue.shift()!);
      if (queue.length === 0) queues.delete(k);
    }
  }
  return out;
}

function groupBy(rows: Utterance[], key: (u: Utterance) => string): Map<string, Utterance[]> {
  const groups = new Map<string, Utterance[]>();
  for (const u of rows) {
    const members = groups.get(key(u));
    if (members) members.push(u);
    else groups.set(key(u), [u]);
  }
  return groups;
}
