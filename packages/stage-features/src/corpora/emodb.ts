import { layoutError } from './layout-error.ts';
import { defineCorpusReader } from './registry.ts';

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
export const emodb = defineCorpusReader({
  name: 'emodb',
  description: 'Berlin Emo-DB, wav/03a01Fa.wav (speaker 2 digits, text, emotion letter, version)',
  labelled: true,
  labels: Object.values(EMOTIONS),
  paperSplit: {
    rule: { speakers: { test: ['15'], validation: ['16'] }, rest: 'train' },
    description: 'paper (Emo-DB): 15 test, 16 validation, rest train',
  },
  parse(file) {
    const m = NAME.exec(file.stem);
    if (!m)
      throw layoutError('Emo-DB', file.path, '<speaker 2 digits><text a01..b10><emotion WLEAFTN><version>');
    const [, speaker, text, code] = m as unknown as [string, string, string, string];
    return {
      id: file.stem,
      speaker,
      gender: FEMALE.has(speaker) ? 'female' : 'male',
      label: EMOTIONS[code]!,
      rawLabel: code,
      text,
    };
  },
});
