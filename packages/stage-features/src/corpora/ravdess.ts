import { layoutError } from './layout-error.ts';
import { defineCorpusReader } from './registry.ts';

const EMOTIONS: Record<string, string> = {
  '01': 'neutral',
  '02': 'calm',
  '03': 'happiness',
  '04': 'sadness',
  '05': 'anger',
  '06': 'fear',
  '07': 'disgust',
  '08': 'surprise',
};
const STATEMENTS: Record<string, string> = {
  '01': 'Kids are talking by the door',
  '02': 'Dogs are sitting by the door',
};
const NAME = /^(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)$/;
const CHANNELS = { speech: ['01'], song: ['02'], all: ['01', '02'] } as const;
const actors = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i).padStart(2, '0'));

export interface RavdessOptions {
  /** Vocal channel: `speech` (01, default), `song` (02) or `all`. */
  vocalChannel: keyof typeof CHANNELS;
}

/**
 * RAVDESS: `Actor_01/03-01-05-01-02-01-01.wav` — modality, vocal channel, emotion, intensity,
 * statement, repetition, actor (odd = male). Speech only (channel 01) unless `vocalChannel` says.
 */
export const ravdess = defineCorpusReader<RavdessOptions>({
  name: 'ravdess',
  description: 'RAVDESS, Actor_NN/MM-VV-EE-II-SS-RR-AA.wav (speech channel by default)',
  labelled: true,
  labels: Object.values(EMOTIONS),
  options: {
    type: 'object',
    additionalProperties: false,
    properties: { vocalChannel: { enum: Object.keys(CHANNELS), default: 'speech' } },
  },
  paperSplit: {
    rule: { speakers: { train: actors(1, 22), test: ['23'], validation: ['24'] }, rest: 'drop' },
    description: 'paper (RAVDESS): actors 1-22 train, 23 test, 24 validation',
  },
  parse(file, options) {
    const m = NAME.exec(file.stem);
    if (!m || !EMOTIONS[m[3]!])
      throw layoutError('RAVDESS', file.path, 'MM-VV-EE-II-SS-RR-AA with emotion 01..08');
    const [, , channel, code, , statement, , actor] = m as unknown as string[];
    const channels: readonly string[] = CHANNELS[options.vocalChannel ?? 'speech'];
    if (!channels.includes(channel!)) return null;
    return {
      id: file.stem,
      speaker: actor!,
      gender: Number(actor) % 2 === 1 ? 'male' : 'female',
      label: EMOTIONS[code!]!,
      rawLabel: code!,
      text: STATEMENTS[statement!] ?? statement!,
    };
  },
});
