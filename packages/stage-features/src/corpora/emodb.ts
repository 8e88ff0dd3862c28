import { layoutError } from './layout-error.ts';
import type { CorpusReader, Utterance } from './types.ts';
import { walkAudio } from './walk.ts';

const EMOTIONS: Record<string, string> = {
  W: 'anger',
  L: 'boredom',
  E: 'disgust',
  A: 'fear',
  F: 'happiness',
  T: 'sadness',
  N: 'neutral',
};
const FEMALE = new Set(['08', '09', '13', '14', '16']);
const NAME = /^(\d\d)([a-b]\d\d)([WLEAFTN])([a-z])$/;

/** Berlin Emo-DB: `wav/03a01Fa.wav` — speaker, text id, emotion letter, version. */
export const emodb: CorpusReader = {
  name: 'emodb',
  description: 'Berlin Emo-DB, wav/03a01Fa.wav (speaker 2 digits, text, emotion letter, version)',
  labelled: true,
  async read(root, corpus) {
    const utterances: Utterance[] = [];
    for (const file of await walkAudio(root)) {
      const m = NAME.exec(file.stem);
      if (!m)
        throw layoutError('Emo-DB', file.path, '<speaker 2 digits><text a01..b10><emotion WLEAFTN><version>');
      const [, speaker, text, code] = m as unknown as [string, string, string, string];
      utterances.push({
        id: file.stem,
        corpus,
        path: file.path,
        speaker,
        gender: FEMALE.has(speaker) ? 'female' : 'male',
        label: EMOTIONS[code]!,
        rawLabel: code,
        text,
      });
    }
    return { utterances, sources: [] };
  },
};
