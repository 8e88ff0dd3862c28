import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCorpusReader } from '../src/corpora/index.ts';
import { buildIemocapTree, buildVoxcelebTree } from './fixtures/trees.ts';
import { sineWav, writeFileDeep } from './fixtures/wav.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'serx-corpora-'));
  await buildIemocapTree(join(dir, 'IEMOCAP_full_release'));
  await buildVoxcelebTree(join(dir, 'voxceleb'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('IEMOCAP reader (fixture tree in the original layout)', () => {
  it('labels from EmoEvaluation, speaker = session + gender letter of the utterance id', async () => {
    const root = join(dir, 'IEMOCAP_full_release');
    const { utterances, sources } = await getCorpusReader('iemocap').read(root, 'iemocap', {});
    expect(utterances.map((u) => [u.id, u.speaker, u.gender, u.label, u.rawLabel])).toEqual([
      ['Ses01F_impro01_F000', 'Ses01F', 'female', 'neutral', 'neu'],
      ['Ses01F_impro01_F001', 'Ses01F', 'female', 'undecided', 'xxx'],
      ['Ses01F_impro01_M000', 'Ses01M', 'male', 'frustration', 'fru'],
      ['Ses01M_script01_1_F000', 'Ses01F', 'female', 'excitement', 'exc'],
      ['Ses01M_script01_1_M000', 'Ses01M', 'male', 'anger', 'ang'],
      ['Ses05F_impro02_F000', 'Ses05F', 'female', 'sadness', 'sad'],
      ['Ses05F_impro02_M000', 'Ses05M', 'male', 'happiness', 'hap'],
      ['Ses05M_script03_2_F000', 'Ses05F', 'female', 'other', 'oth'],
      ['Ses05M_script03_2_M000', 'Ses05M', 'male', 'surprise', 'sur'],
    ]);
    expect(utterances[0]).toMatchObject({
      duration: 1.9456,
      text: 'Words of Ses01F_impro01_F000.',
      path: join(root, 'Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_F000.wav'),
    });
    expect(sources).toContain(join(root, 'Session5/dialog/EmoEvaluation/Ses05M_script03_2.txt'));
  });

  it('an audio file without an evaluation line is INPUT_DATA naming the file', async () => {
    const root = join(dir, 'IEMOCAP_full_release');
    const stray = join(root, 'Session5/sentences/wav/Ses05F_impro02/Ses05F_impro02_F009.wav');
    await writeFileDeep(stray, sineWav(0.1));
    await expect(getCorpusReader('iemocap').read(root, 'iemocap', {})).rejects.toMatchObject({
      code: 'INPUT_DATA',
      message: expect.stringContaining(`${stray}: no label for 'Ses05F_impro02_F009'`),
    });
    await rm(stray);
  });
});

describe('VoxCeleb reader (fixture trees in the original layouts)', () => {
  it('VoxCeleb1 wav/ and VoxCeleb2 aac/ trees, speaker = idNNNNN, unlabelled', async () => {
    const { utterances } = await getCorpusReader('voxceleb').read(join(dir, 'voxceleb'), 'voxceleb', {});
    expect(utterances.map((u) => [u.id, u.speaker, u.label])).toEqual([
      ['id10001/1zcIwhmdeo4/00001', 'id10001', null],
      ['id10001/1zcIwhmdeo4/00002', 'id10001', null],
      ['id10001/7w0IBEWc9Qw/00001', 'id10001', null],
      ['id10002/6WO410QOeuo/00001', 'id10002', null],
      ['id00012/21Uxsk56VDQ/00001', 'id00012', null],
      ['id00015/0fijmz4vTVU/00003', 'id00015', null],
    ]);
    expect(utterances[4]!.path).toBe(join(dir, 'voxceleb/vox2/aac/id00012/21Uxsk56VDQ/00001.m4a'));
    const vox2 = await getCorpusReader('voxceleb').read(join(dir, 'voxceleb/vox2/aac'), 'vox2', {});
    expect(vox2.utterances.map((u) => u.speaker)).toEqual(['id00012', 'id00015']);
  });
});

describe('generic readers', () => {
  it('folder-per-label with a speaker pattern', async () => {
    const root = join(dir, 'byLabel');
    for (const rel of ['Happy/spk1_a.wav', 'Happy/spk2_b.flac', 'sad/spk1_c.wav'])
      await writeFileDeep(join(root, rel), sineWav(0.1));
    const { utterances } = await getCorpusReader('folder-per-label').read(root, 'mine', {
      speakerPattern: '^(spk\\d+)_',
    });
    expect(utterances.map((u) => [u.id, u.label, u.rawLabel, u.speaker])).toEqual([
      ['Happy/spk1_a', 'happy', 'Happy', 'spk1'],
      ['Happy/spk2_b', 'happy', 'Happy', 'spk2'],
      ['sad/spk1_c', 'sad', 'sad', 'spk1'],
    ]);
    await expect(
      getCorpusReader('folder-per-label').read(root, 'mine', { speakerPattern: '^(x)_' }),
    ).rejects.toMatchObject({
      code: 'INPUT_DATA',
      message: expect.stringContaining('Happy/spk1_a.wav: file name does not match speakerPattern'),
    });
  });

  it('CSV manifest: quoted fields, paths relative to the manifest, rows of other corpora skipped', async () => {
    const file = join(dir, 'manifest/list.csv');
    await writeFileDeep(
      file,
      'path,label,speaker,corpus,gender,text\n' +
        'audio/a.wav,Angry,s1,mine,F,"Hello, world"\n' +
        'audio/b.wav,neutral,s2,other,m,\n' +
        'audio/c.wav,,s2,mine,,\n',
    );
    const { utterances, sources } = await getCorpusReader('manifest').read(file, 'mine', {});
    expect(utterances).toEqual([
      {
        id: 'audio/a',
        corpus: 'mine',
        path: join(dir, 'manifest/audio/a.wav'),
        speaker: 's1',
        gender: 'female',
        label: 'angry',
        rawLabel: 'Angry',
        text: 'Hello, world',
      },
      { id: 'audio/c', corpus: 'mine', path: join(dir, 'manifest/audio/c.wav'), speaker: 's2', label: null },
    ]);
    expect(sources).toEqual([file]);
    await expect(getCorpusReader('manifest').read(file, 'nope', {})).rejects.toMatchObject({
      message: expect.stringContaining("no rows for corpus 'nope' (manifest has mine, other)"),
    });
  });

  it('JSONL manifest errors name file and line', async () => {
    const file = join(dir, 'manifest/list.jsonl');
    await writeFile(
      file,
      '{"path":"a.wav","label":"sad","speaker":"s1","duration":1.5}\n{"path":"b.wav","label":"sad"}\n',
    );
    await expect(getCorpusReader('manifest').read(file, 'x', {})).rejects.toMatchObject({
      code: 'INPUT_DATA',
      message: `${file}:2: missing 'speaker'`,
    });
    await writeFile(file, '{"path":"a.wav","label":"sad","speaker":"s1","duration":1.5}\n');
    expect((await getCorpusReader('manifest').read(file, 'x', {})).utterances[0]).toMatchObject({
      id: 'a',
      duration: 1.5,
      label: 'sad',
    });
  });

  it('an unknown reader name is READER_UNKNOWN listing the registered ones', () => {
    expect(() => getCorpusReader('nope')).toThrow(
      expect.objectContaining({
        code: 'features:READER_UNKNOWN',
        message:
          "unknown corpus reader 'nope'; registered readers: emodb, emovo, folder-per-label, iemocap, librispeech, manifest, ravdess, savee, tess, unlabelled, voxceleb",
      }),
    );
  });
});
