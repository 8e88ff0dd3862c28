import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getCorpusReader } from '../src/corpora/index.ts';
import { CORPORA, countBy, speakersOf } from './helpers.ts';

const read = (reader: string, folder = reader, options = {}) =>
  getCorpusReader(reader).read(join(CORPORA, folder), reader, options);

describe('readers on the shared corpora', () => {
  it('Emo-DB: 535 utterances, 10 speakers, the published per-emotion counts', async () => {
    const { utterances } = await read('emodb');
    expect(utterances).toHaveLength(535);
    expect(speakersOf(utterances)).toEqual(['03', '08', '09', '10', '11', '12', '13', '14', '15', '16']);
    expect(countBy(utterances, (u) => u.label)).toEqual({
      anger: 127,
      boredom: 81,
      disgust: 46,
      fear: 69,
      happiness: 71,
      neutral: 79,
      sadness: 62,
    });
    expect(countBy(utterances, (u) => u.gender)).toEqual({ female: 302, male: 233 });
    expect(utterances[0]).toMatchObject({
      id: '03a01Fa',
      corpus: 'emodb',
      speaker: '03',
      gender: 'male',
      label: 'happiness',
      rawLabel: 'F',
      text: 'a01',
      path: join(CORPORA, 'emodb/wav/03a01Fa.flac'),
    });
  });

  it('EMOVO: 588 utterances, 6 speakers, 84 per emotion', async () => {
    const { utterances } = await read('emovo');
    expect(utterances).toHaveLength(588);
    expect(speakersOf(utterances)).toEqual(['f1', 'f2', 'f3', 'm1', 'm2', 'm3']);
    expect(countBy(utterances, (u) => u.label)).toEqual({
      anger: 84,
      disgust: 84,
      fear: 84,
      joy: 84,
      neutral: 84,
      sadness: 84,
      surprise: 84,
    });
    expect(utterances.find((u) => u.id === 'rab-m3-l4')).toMatchObject({
      speaker: 'm3',
      gender: 'male',
      label: 'anger',
      text: 'l4',
    });
  });

  it('SAVEE: 480 utterances, 4 male speakers, neutral doubled', async () => {
    const { utterances } = await read('savee');
    expect(utterances).toHaveLength(480);
    expect(speakersOf(utterances)).toEqual(['DC', 'JE', 'JK', 'KL']);
    expect(countBy(utterances, (u) => u.label)).toEqual({
      anger: 60,
      disgust: 60,
      fear: 60,
      happiness: 60,
      neutral: 120,
      sadness: 60,
      surprise: 60,
    });
    expect(utterances.find((u) => u.id === 'KL_sa03')).toMatchObject({
      label: 'sadness',
      rawLabel: 'sa',
      text: '03',
    });
  });

  it('RAVDESS: 1440 speech utterances, 24 actors, odd actors male; song channel is empty here', async () => {
    const { utterances } = await read('ravdess');
    expect(utterances).toHaveLength(1440);
    expect(speakersOf(utterances)).toHaveLength(24);
    expect(countBy(utterances, (u) => u.label)).toEqual({
      anger: 192,
      calm: 192,
      disgust: 192,
      fear: 192,
      happiness: 192,
      neutral: 96,
      sadness: 192,
      surprise: 192,
    });
    expect(countBy(utterances, (u) => u.gender)).toEqual({ female: 720, male: 720 });
    expect(utterances.find((u) => u.id === '03-01-05-01-02-01-12')).toMatchObject({
      speaker: '12',
      gender: 'female',
      label: 'anger',
      text: 'Dogs are sitting by the door',
    });
    expect((await read('ravdess', 'ravdess', { vocalChannel: 'song' })).utterances).toHaveLength(0);
  });

  it('TESS: 1400 utterances, 2 speakers, 200 per emotion, OA_bite_neutral kept as OAF', async () => {
    const { utterances } = await read('tess');
    expect(utterances).toHaveLength(1400);
    expect(speakersOf(utterances)).toEqual(['OAF', 'YAF']);
    expect(countBy(utterances, (u) => u.label)).toEqual({
      anger: 200,
      disgust: 200,
      fear: 200,
      happiness: 200,
      neutral: 200,
      'pleasant-surprise': 200,
      sadness: 200,
    });
    expect(countBy(utterances, (u) => u.speaker)).toEqual({ OAF: 700, YAF: 700 });
    expect(utterances.find((u) => u.id === 'OA_bite_neutral')).toMatchObject({
      speaker: 'OAF',
      label: 'neutral',
      text: 'bite',
    });
  });

  it('LibriSpeech-style: 351 unlabelled utterances, speakers from file names in flat and per-speaker folders', async () => {
    const { utterances } = await read('librispeech');
    expect(utterances).toHaveLength(351);
    expect(utterances.every((u) => u.label === null)).toBe(true);
    expect(utterances.find((u) => u.id === '3005-163389-0004')).toMatchObject({
      speaker: '3005',
      path: join(CORPORA, 'librispeech/test-other/3005/3005-163389-0004.opus'),
    });
    expect(speakersOf(utterances)).toHaveLength(261);
  });

  it('reads the raw (WAV) distributions with the same layout rules', async () => {
    const { utterances } = await read('tess', 'raw-samples/tess');
    expect(utterances.map((u) => [u.id, u.label])).toEqual([
      ['OAF_back_angry', 'anger'],
      ['YAF_back_happy', 'happiness'],
      ['YAF_neat_fear', 'fear'],
    ]);
    expect((await read('emodb', 'raw-samples/emodb')).utterances.map((u) => u.label)).toEqual([
      'happiness',
      'neutral',
      'anger',
    ]);
  });

  it('unlabelled reader: one speaker per folder', async () => {
    const { utterances } = await getCorpusReader('unlabelled').read(
      join(CORPORA, 'unlabeled-extra/interviews'),
      'interviews',
      {},
    );
    expect(utterances).toHaveLength(12);
    expect(speakersOf(utterances)).toEqual(['interviews']);
  });

  it('a file outside the layout is INPUT_DATA naming the file', async () => {
    await expect(read('emodb', 'emovo')).rejects.toMatchObject({
      code: 'INPUT_DATA',
      message: expect.stringContaining(
        `${join(CORPORA, 'emovo/f1/dis-f1-b1.flac')}: file name does not follow the Emo-DB layout`,
      ),
    });
  });
});
