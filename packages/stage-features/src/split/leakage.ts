import type { SplitUtterance } from '../corpora/types.ts';
import { PARTITIONS, type Partition, type ResolvedRule } from './types.ts';

export interface PartitionSummary {
  utterances: number;
  speakers: string[];
  classes: Record<string, number>;
}

/** `leakage.json` of a split: what went where, and every speaker found in two partitions. */
export interface LeakageReport {
  corpus: string;
  rule: string;
  partitions: Record<Partition, PartitionSummary>;
  /** Speakers in more than one partition; `allowed` when the rule does it on purpose (with reason). */
  sharedSpeakers: { speaker: string; partitions: Partition[]; allowed: boolean; reason?: string }[];
  /** Utterances left out, by reason (`label other`, `speaker X (no partition)`). */
  dropped: Record<string, number>;
  ok: boolean;
}

export function leakageReport(
  corpus: string,
  rule: ResolvedRule,
  rows: readonly SplitUtterance[],
  dropped: Record<string, number>,
): LeakageReport {
  const partitions = Object.fromEntries(
    PARTITIONS.map((p) => [
      p,
      { utterances: 0, speakers: [] as string[], classes: {} as Record<string, number> },
    ]),
  ) as Record<Partition, PartitionSummary>;
  const speakerPartitions = new Map<string, Set<Partition>>();
  for (const row of rows) {
    const summary = partitions[row.split];
    summary.utterances += 1;
    const cls = row.class ?? 'unlabelled';
    summary.classes[cls] = (summary.classes[cls] ?? 0) + 1;
    const set = speakerPartitions.get(row.speaker) ?? new Set<Partition>();
    speakerPartitions.set(row.speaker, set.add(row.split));
  }
  for (const [speaker, set] of speakerPartitions) for (const p of set) partitions[p].speakers.push(speaker);
  for (const p of PARTITIONS) partitions[p].speakers.sort();
  const sharedSpeakers = [...speakerPartitions]
    .filter(([, set]) => set.size > 1)
    .map(([speaker, set]) => {
      const list = PARTITIONS.filter((p) => set.has(p));
      const allowance = rule.allowedShared.find(
        (a) => a.speaker === speaker && list.every((p) => a.partitions.includes(p)),
      );
      return {
        speaker,
        partitions: list,
        allowed: allowance !== undefined,
        ...(allowance ? { reason: allowance.reason } : {}),
      };
    })
    .sort((a, b) => (a.speaker < b.speaker ? -1 : 1));
  return {
    corpus,
    rule: rule.description,
    partitions,
    sharedSpeakers,
    dropped,
    ok: sharedSpeakers.every((s) => s.allowed),
  };
}
