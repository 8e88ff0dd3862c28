export type Partition = 'train' | 'validation' | 'test';
export const PARTITIONS: readonly Partition[] = ['train', 'validation', 'test'];

/**
 * How `features:split` assigns utterances to partitions (speaker-independent):
 * - `paper`: the seed paper's section 3.1 split for the reader's corpus (see paper.ts);
 * - `all-test` (leave-one-corpus-out / unseen corpus) and `all-train` (e.g. pretraining speech);
 * - `{ speakers: { train, validation, test }, rest }`: explicit speaker lists, others go to `rest`
 *   (default `train`; `drop` leaves them out);
 * - `{ speakerFraction: { validation, test } }`: a seeded random share of the speakers, rest train.
 */
export type SplitRule =
  | 'paper'
  | 'all-test'
  | 'all-train'
  | { speakers: Partial<Record<Partition, string[]>>; rest?: Partition | 'drop' }
  | { speakerFraction: { validation?: number; test?: number } };

/** The partition of each utterance; `drop` leaves it out. */
export type Assigner = (utterance: {
  id: string;
  speaker: string;
  text?: string;
  label: string | null;
}) => Partition | 'drop';

/**
 * A speaker the rule itself places in two partitions, on purpose (the paper halves SAVEE's KL
 * between validation and test). Reported as such; any other shared speaker is SPLIT_LEAKAGE.
 */
export interface SharedSpeaker {
  speaker: string;
  partitions: Partition[];
  reason: string;
}

export interface ResolvedRule {
  /** Human-readable description for the leakage report. */
  description: string;
  assign: Assigner;
  allowedShared: SharedSpeaker[];
}
