import type { ResolvedRule } from '../split/types.ts';
import { layoutError } from './layout-error.ts';
import { defineCorpusReader } from './registry.ts';
import type { Utterance } from './types.ts';

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
export const savee = defineCorpusReader({
  name: 'savee',
  description: 'SAVEE, AudioData/<DC|JE|JK|KL>/<emotion prefix><sentence>.wav',
  labelled: true,
  labels: Object.values(EMOTIONS),
  paperSplit: saveePaperSplit,
  parse(file) {
    const m = NAME.exec(file.stem);
    const speaker = file.dirs.at(-1);
    if (!m || !speaker)
      throw layoutError('SAVEE', file.path, '<speaker>/<a|d|f|h|n|sa|su><2-digit sentence>');
    const [, code, sentence] = m as unknown as [string, string, string];
    return {
      id: `${speaker}_${file.stem}`,
      speaker,
      gender: 'male',
      label: EMOTIONS[code]!,
      rawLabel: code,
      text: sentence,
    };
  },
});

/**
 * The paper's SAVEE split: DC, JE, JK train; KL halved — KL's utterances sorted by id (emotion,
 * then sentence number) go alternately to test and validation, 60 + 60 with every emotion split
 * 8/7 or 7/8. KL is therefore in two partitions, as the paper says (reported as allowed).
 */
function saveePaperSplit(utterances: readonly Utterance[]): ResolvedRule {
  const train = new Set(['DC', 'JE', 'JK']);
  const kl = utterances
    .filter((u) => u.speaker === 'KL')
    .map((u) => u.id)
    .sort();
  const half = new Map(kl.map((id, i) => [id, i % 2 === 0 ? ('test' as const) : ('validation' as const)]));
  return {
    description:
      'paper (SAVEE): DC JE JK train; KL halved, its utterances sorted by id alternately test and validation',
    allowedShared: [
      {
        speaker: 'KL',
        partitions: ['validation', 'test'],
        reason: 'the paper splits SAVEE speaker KL equally between test and validation',
      },
    ],
    assign: (u) => (train.has(u.speaker) ? 'train' : (half.get(u.id) ?? 'drop')),
  };
}
