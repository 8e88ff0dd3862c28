import { layoutError } from './layout-error.ts';
import type { CorpusReader, Utterance } from './types.ts';
import { walkAudio } from './walk.ts';

const EMOTIONS: Record<string, string> = {
  dis: 'disgust',
  gio: 'joy',
  neu: 'neutral',
  pau: 'fear',
  rab: 'anger',
  sor: 'surprise',
  tri: 'sadness',
};
const NAME = /^(dis|gio|neu|pau|rab|sor|tri)-([fm][1-3])-(\w+)$/i;

/** EMOVO: `f1/dis-f1-b1.wav` — emotion, speaker (f1–f3, m1–m3), sentence. */
export const emovo: CorpusReader = {
  name: 'emovo',
  description: 'EMOVO, f1/dis-f1-b1.wav (emotion-speaker-sentence)',
  labelled: true,
  async read(root, corpus) {
    const utterances: Utterance[] = [];
    for (const file of await walkAudio(root)) {
      const m = NAME.exec(file.stem);
      if (!m) throw layoutError('EMOVO', file.path, '<dis|gio|neu|pau|rab|sor|tri>-<f1..m3>-<sentence>');
      const [, code, speaker, text] = m as unknown as [string, string, string, string];
      const spk = speaker.toLowerCase();
      utterances.push({
        id: file.stem,
        corpus,
        path: file.path,
        speaker: spk,
        gender: spk.startsWith('f') ? 'female' : 'male',
        label: EMOTIONS[code.toLowerCase()]!,
        rawLabel: code.toLowerCase(),
        text,
      });
    }
    return { utterances, sources: [] };
  },
};
