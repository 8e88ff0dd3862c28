import { layoutError } from './layout-error.ts';
import type { CorpusReader, Utterance } from './types.ts';
import { walkAudio } from './walk.ts';

const EMOTIONS: Record<string, string> = {
  a: 'anger',
  d: 'disgust',
  f: 'fear',
  h: 'happiness',
  n: 'neutral',
  sa: 'sadness',
  su: 'surprise',
};
const NAME = /^(sa|su|a|d|f|h|n)(\d\d)$/;

/** SAVEE: `AudioData/DC/a01.wav` — speaker folder (DC, JE, JK, KL), emotion prefix + sentence. */
export const savee: CorpusReader = {
  name: 'savee',
  description: 'SAVEE, AudioData/<DC|JE|JK|KL>/<emotion prefix><sentence>.wav',
  labelled: true,
  async read(root, corpus) {
    const utterances: Utterance[] = [];
    for (const file of await walkAudio(root)) {
      const m = NAME.exec(file.stem);
      const speaker = file.dirs.at(-1);
      if (!m || !speaker)
        throw layoutError('SAVEE', file.path, '<speaker>/<a|d|f|h|n|sa|su><2-digit sentence>');
      const [, code, sentence] = m as unknown as [string, string, string];
      utterances.push({
        id: `${speaker}_${file.stem}`,
        corpus,
        path: file.path,
        speaker,
        gender: 'male',
        label: EMOTIONS[code]!,
        rawLabel: code,
        text: sentence,
      });
    }
    return { utterances, sources: [] };
  },
};
