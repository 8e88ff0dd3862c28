import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getCorpusReader } from '../src/corpora/index.ts';
import type { Utterance } from '../src/corpora/types.ts';
import { effectiveMapping } from '../src/labels/index.ts';
import { type SplitRule, splitUtterances } from '../src/split/index.ts';
import { CORPORA, countBy } from './helpers.ts';

const mapping = effectiveMapping();
async function paperSplit(reader: string) {
  const { utterances } = await getCorpusReader(reader).read(join(CORPORA, reader), reader, {});
  return splitUtterances(utterances, { corpus: reader, reader, rule: 'paper', mapping, seed: 0 });
}
const partitions = (r: Awaited<ReturnType<typeof paperSplit>>) =>
  Object.fromEntries(
    Object.entries(r.report.partitions).map(([p, s]) => [p, [s.utterances, s.speakers.join(' ')]]),
  );

describe('paper splits (section 3.1) on the shared corpora', () => {
  it('Emo-DB: 15 test, 16 validation, rest train', async () => {
    const r = await paperSplit('emodb');
    expect(partitions(r)).toEqual({
      train: [408, '03 08 09 10 11 12 13 14'],
      validation: [71, '16'],
      test: [56, '15'],
    });
    expect(r.report.partitions.test.classes).toEqual({ negative: 39, neutral: 11, positive: 6 });
    expect(r.report.ok).toBe(true);
  });

  it('EMOVO: f1 f2 m1 m2 train, m3 validation, f3 test', async () => {
    expect(partitions(await paperSplit('emovo'))).toEqual({
      train: [392, 'f1 f2 m1 m2'],
      validation: [98, 'm3'],
      test: [98, 'f3'],
    });
  });

  it('RAVDESS: actors 1-22 train, 23 test, 24 validation', async () => {
    const r = await paperSplit('ravdess');
    expect(r.report.partitions.test).toMatchObject({ utterances: 60, speakers: ['23'] });
    expect(r.report.partitions.validation).toMatchObject({ utterances: 60, speakers: ['24'] });
    expect(r.report.partitions.train.utterances).toBe(1320);
  });

  it('SAVEE: KL halved 60/60 between test and validation, reported as an allowed shared speaker', async () => {
    const r = await paperSplit('savee');
    expect(partitions(r)).toEqual({ train: [360, 'DC JE JK'], validation: [60, 'KL'], test: [60, 'KL'] });
    expect(
      countBy(
        r.rows.filter((u) => u.split === 'test'),
        (u) => u.label,
      ),
    ).toEqual({
      anger: 8,
      disgust: 7,
      fear: 8,
      happiness: 7,
      neutral: 15,
      sadness: 8,
      surprise: 7,
    });
    expect(r.report.sharedSpeakers).toEqual([
      {
        speaker: 'KL',
        partitions: ['validation', 'test'],
        allowed: true,
        reason: 'the paper splits SAVEE speaker KL equally between test and validation',
      },
    ]);
  });

  it('TESS: all test, 3 classes', async () => {
    const r = await paperSplit('tess');
    expect(partitions(r)).toEqual({ train: [0, ''], validation: [0, ''], test: [1400, 'OAF YAF'] });
    expect(r.report.partitions.test.classes).toEqual({ negative: 800, neutral: 200, positive: 400 });
  });
});

const toy = (speakers: string[], label = 'anger'): Utterance[] =>
  speakers.flatMap((s) =>
    [0, 1].map((i) => ({ id: `${s}-${i}`, corpus: 'toy', path: `/x/${s}-${i}.wav`, speaker: s, label })),
  );
const split = (utterances: Utterance[], rule: SplitRule, reader = 'manifest', seed = 0) =>
  splitUtterances(utterances, { corpus: 'toy', reader, rule, mapping, seed });

describe('generic rules and leakage', () => {
  it('IEMOCAP paper rule: sessions 1-4 train, Ses05F validation, Ses05M test', () => {
    const r = split(toy(['Ses01F', 'Ses04M', 'Ses05F', 'Ses05M']), 'paper', 'iemocap');
    expect(partitions(r)).toEqual({
      train: [4, 'Ses01F Ses04M'],
      validation: [2, 'Ses05F'],
      test: [2, 'Ses05M'],
    });
  });

  it('speaker lists with rest, and drop', () => {
    expect(partitions(split(toy(['a', 'b', 'c']), { speakers: { test: ['a'] } }))).toEqual({
      train: [4, 'b c'],
      validation: [0, ''],
      test: [2, 'a'],
    });
    const r = split(toy(['a', 'b', 'c']), { speakers: { test: ['a'], validation: ['b'] }, rest: 'drop' });
    expect(r.rows).toHaveLength(4);
    expect(r.report.dropped).toEqual({ 'speaker c (no partition)': 2 });
  });

  it('speaker fraction is seeded and deterministic', () => {
    const speakers = Array.from({ length: 10 }, (_, i) => `s${i}`);
    const rule: SplitRule = { speakerFraction: { validation: 0.2, test: 0.2 } };
    const a = split(toy(speakers), rule, 'manifest', 7).report.partitions;
    const b = split(toy(speakers), rule, 'manifest', 7).report.partitions;
    const c = split(toy(speakers), rule, 'manifest', 8).report.partitions;
    expect(a).toEqual(b);
    expect([a.train.speakers.length, a.validation.speakers.length, a.test.speakers.length]).toEqual([
      6, 2, 2,
    ]);
    expect(a.test.speakers).not.toEqual(c.test.speakers);
    expect(() => split(toy(['a', 'b']), { speakerFraction: { validation: 0.5, test: 0.5 } })).toThrow(
      /leaves no training speaker/,
    );
  });

  it('a speaker listed in two partitions, or a duplicate utterance id, is SPLIT_LEAKAGE', () => {
    expect(() => split(toy(['a', 'b']), { speakers: { train: ['a'], test: ['a'] } })).toThrow(
      expect.objectContaining({
        code: 'features:SPLIT_LEAKAGE',
        message: "split rule lists speaker 'a' under both train and test",
      }),
    );
    const dup = [...toy(['a']), ...toy(['a'])];
    expect(() => split(dup, 'all-test')).toThrow(
      expect.objectContaining({
        code: 'features:SPLIT_LEAKAGE',
        message: expect.stringContaining("utterance id 'a-0' occurs twice"),
      }),
    );
  });

  it('labels are mapped to classes; drop removes, unmapped fails; unlabelled speech keeps class null', () => {
    const rows = [...toy(['a'], 'other'), ...toy(['b'], 'joy')];
    const r = split(rows, 'all-train');
    expect(r.rows.map((u) => [u.id, u.class])).toEqual([
      ['b-0', 'positive'],
      ['b-1', 'positive'],
    ]);
    expect(r.report.dropped).toEqual({ 'label other': 2 });
    expect(() => split(toy(['a'], 'contempt'), 'all-test')).toThrow(
      expect.objectContaining({ code: 'features:LABEL_UNMAPPED' }),
    );
    const unl = toy(['x']).map((u) => ({ ...u, label: null }));
    expect(split(unl, 'paper', 'librispeech').rows.map((u) => [u.split, u.class])).toEqual([
      ['train', null],
      ['train', null],
    ]);
  });

  it('no paper split for generic readers', () => {
    expect(() => split(toy(['a']), 'paper', 'folder-per-label')).toThrow(
      /the paper defines no split for reader 'folder-per-label'/,
    );
  });
});
