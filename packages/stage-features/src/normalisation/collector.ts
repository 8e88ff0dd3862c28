import { addFrames, emptyMoments, type Moments } from './moments.ts';

/** What the collector needs of a row. */
export interface RowKey {
  speaker: string;
  /** `null` for data that was never split: counted as train (all of it is training data). */
  split: string | null;
}

/**
 * Accumulates raw-MFCC moments while features are extracted: the train partition, the whole
 * corpus, and each speaker. One pass over the data is enough for every normalisation mode.
 */
export class StatisticsCollector {
  readonly train: Moments;
  readonly all: Moments;
  readonly speakers = new Map<string, Moments>();
  trainUtterances = 0;

  constructor(readonly dims: number) {
    this.train = emptyMoments(dims);
    this.all = emptyMoments(dims);
  }

  add(row: RowKey, raw: Float32Array): void {
    if (row.split === null || row.split === 'train') {
      addFrames(this.train, raw, this.dims);
      this.trainUtterances += 1;
    }
    addFrames(this.all, raw, this.dims);
    let speaker = this.speakers.get(row.speaker);
    if (!speaker) {
      speaker = emptyMoments(this.dims);
      this.speakers.set(row.speaker, speaker);
    }
    addFrames(speaker, raw, this.dims);
  }

  /** Whether any row is outside the train partition. */
  get hasHeldBackRows(): boolean {
    return this.all.frames > this.train.frames;
  }
}
