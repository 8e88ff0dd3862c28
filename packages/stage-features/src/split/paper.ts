import { SerxError } from '@serx/core';
import type { Utterance } from '../corpora/types.ts';
import { speakerListRule } from './speaker-lists.ts';
import type { Partition, ResolvedRule } from './types.ts';

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i).padStart(2, '0'));

/**
 * The seed paper's section 3.1 splits, keyed by reader:
 * - Emo-DB: speaker 15 test, 16 validation, rest train.
 * - EMOVO: f1, f2, m1, m2 train; m3 validation; f3 test.
 * - RAVDESS: actors 01–22 train, 23 test, 24 validation.
 * - SAVEE: DC, JE, JK train; KL halved: KL's utterances sorted by id (emotion, then sentence
 *   number) go alternately to test and validation, 60 + 60 with every emotion split 8/7 or
 *   7/8. KL is therefore in two partitions, as the paper says (reported as allowed).
 * - IEMOCAP: the paper's "first five sessions … sixth session" cannot be literal (IEMOCAP has five
 *   sessions): sessions 1–4 train; session 5 halved by speaker, female (Ses05F) validation, male
 *   (Ses05M) test.
 * - TESS: whole corpus test (never seen in training or validation).
 * - VoxCeleb / LibriSpeech / unlabelled: no split (all train, pretraining data).
 */
export function paperRule(reader: string, utterances: readonly Utterance[]): ResolvedRule {
  switch (reader) {
    case 'emodb':
      return speakerListRule(
        { test: ['15'], validation: ['16'] },
        'train',
        'paper (Emo-DB): 15 test, 16 validation, rest train',
      );
    case 'emovo':
      return speakerListRule(
        { train: ['f1', 'f2', 'm1', 'm2'], validation: ['m3'], test: ['f3'] },
        'drop',
        'paper (EMOVO): f1 f2 m1 m2 train, m3 validation, f3 test',
      );
    case 'ravdess':
      return speakerListRule(
        { train: range(1, 22), test: ['23'], validation: ['24'] },
        'drop',
        'paper (RAVDESS): actors 1-22 train, 23 test, 24 validation',
      );
    case 'iemocap':
      return speakerListRule(
        {
          train: ['Ses01F', 'Ses01M', 'Ses02F', 'Ses02M', 'Ses03F', 'Ses03M', 'Ses04F', 'Ses04M'],
          validation: ['Ses05F'],
          test: ['Ses05M'],
        },
        'drop',
        'paper (IEMOCAP, five sessions): sessions 1-4 train; session 5 halved by speaker, Ses05F validation, Ses05M test',
      );
    case 'savee':
      return saveeRule(utterances);
    case 'tess':
      return constantRule('test', 'paper (TESS): whole corpus test');
    case 'voxceleb':
    case 'librispeech':
    case 'unlabelled':
      return constantRule('train', `paper (${reader}): no split, all train (pretraining speech)`);
    default:
      throw new SerxError(
        'USAGE',
        `the paper defines no split for reader '${reader}'; give the split stage a rule (speakers, speakerFraction, all-test)`,
      );
  }
}

export function constantRule(partition: Partition, description: string): ResolvedRule {
  return { description, assign: () => partition, allowedShared: [] };
}

function saveeRule(utterances: readonly Utterance[]): ResolvedRule {
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
