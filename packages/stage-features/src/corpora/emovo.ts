import { layoutError } from './layout-error.ts';
import { defineCorpusReader } from './registry.ts';

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
export const emovo = defineCorpusReader({
  name: 'emovo',
  description: 'EMOVO, f1/dis-f1-b1.wav (emotion-speaker-sentence)',
  labelled: true,
  labels: Object.values(EMOTIONS),
  paperSplit: {
    rule: { speakers: { train: ['f1', 'f2', 'm1', 'm2'], validation: ['m3'], test: ['f3'] }, rest: 'drop' },
    description: 'paper (EMOVO): f1 f2 m1 m2 train, m3 validation, f3 test',
  },
  parse(file) {
    const m = NAME.exec(file.stem);
    if (!m) throw layoutError('EMOVO', file.path, '<dis|gio|neu|pau|rab|sor|tri>-<f1..m3>-<sentence>');
    const [, code, speaker, text] = m as unknown as [string, string, string, string];
    const spk = speaker.toLowerCase();
    return {
      id: file.stem,
      speaker: spk,
      gender: spk.startsWith('f') ? 'female' : 'male',
      label: EMOTIONS[code.toLowerCase()]!,
      rawLabel: code.toLowerCase(),
      text,
    };
  },
});
