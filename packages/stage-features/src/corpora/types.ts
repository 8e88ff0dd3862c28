/** One utterance as a corpus reader yields it (a line of an `utterances` artifact). */
export interface Utterance {
  /** Unique within the corpus, stable across machines (derived from the relative path). */
  id: string;
  /** Lineage name of the corpus (the ingest stage's `corpus` param). */
  corpus: string;
  /** Absolute path of the audio file. */
  path: string;
  /** Speaker id, unique within the corpus. */
  speaker: string;
  gender?: 'female' | 'male';
  /** Emotion label in a shared English vocabulary (see labels/mapping.ts); `null` when unlabelled. */
  label: string | null;
  /** The corpus's own label code (`W`, `rab`, `05`, `ps`, `fru`...). */
  rawLabel?: string;
  /** Sentence / word / transcript id or text where the corpus provides one. */
  text?: string;
  /** Seconds, where known (from the label file, or filled in by ingest after probing the audio). */
  duration?: number;
}

/** An utterance after `features:split`: every row has a split and a class. */
export interface SplitUtterance extends Utterance {
  split: 'train' | 'validation' | 'test';
  /** Mapped class (positive / negative / neutral by default); `null` for unlabelled speech. */
  class: string | null;
}

export interface ReadResult {
  utterances: Utterance[];
  /** Files other than audio that the reader parsed (label files, manifests): part of the fingerprint. */
  sources: string[];
}
