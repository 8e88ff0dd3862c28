import { layoutError } from './layout-error.ts';
import type { CorpusReader, Utterance } from './types.ts';
import { walkAudio } from './walk.ts';

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

/**
 * RAVDESS: `Actor_01/03-01-05-01-02-01-01.wav` — modality, vocal channel, emotion, intensity,
 * statement, repetition, actor (odd = male). Speech only (channel 01) unless `vocalChannel` says.
 */
export const ravdess: CorpusReader = {
  name: 'ravdess',
  description: 'RAVDESS, Actor_NN/MM-VV-EE-II-SS-RR-AA.wav (speech channel by default)',
  labelled: true,
  async read(root, corpus, options) {
    const channels: readonly string[] = CHANNELS[options.vocalChannel ?? 'speech'];
    const utterances: Utterance[] = [];
    for (const file of await walkAudio(root)) {
      const m = NAME.exec(file.stem);
      if (!m || !EMOTIONS[m[3]!])
        throw layoutError('RAVDESS', file.path, 'MM-VV-EE-II-SS-RR-AA with emotion 01..08');
      const [, , channel, code, , statement, , actor] = m as unknown as string[];
      if (!channels.includes(channel!)) continue;
      utterances.push({
        id: file.stem,
        corpus,
        path: file.path,
        speaker: actor!,
        gender: Number(actor) % 2 === 1 ? 'male' : 'female',
        label: EMOTIONS[code!]!,
        rawLabel: code!,
        text: STATEMENTS[statement!] ?? statement!,
      });
    }
    return { utterances, sources: [] };
  },
};
