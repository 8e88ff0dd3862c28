import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getCorpusReader } from '../src/corpora/index.ts';
import { resolveMfccOptions } from '../src/mfcc/index.ts';
import { runTask } from '../src/workers/index.ts';
import { CORPORA, countBy } from './helpers.ts';

const extra = join(CORPORA, 'unlabeled-extra');

describe('unlabelled pretraining speech in the shared corpora', { timeout: 60_000 }, () => {
  it('unlabeled-extra: one unlabelled reader over the whole tree, speaker = parent folder', async () => {
    const { utterances } = await getCorpusReader('unlabelled').read(extra, 'unlabeled-extra', {});
    // The counts of the corpora README, source by source.
    expect(countBy(utterances, (u) => u.id.split('/')[0])).toEqual({
      griko: 331,
      interviews: 12,
      mboshi: 1127,
      'read-speech': 141,
      speechocean762: 2781,
      'voxceleb1-examples': 106,
    });
    const speakers = countBy(utterances, (u) => u.speaker);
    expect(Object.keys(speakers)).toHaveLength(259); // 250 speechocean762 + 3 mboshi + 3 VoxCeleb + 3 one-speaker folders
    expect(speakers).toMatchObject({
      interviews: 12,
      'read-speech': 141,
      spk_unknown: 331,
      abiayi: 470,
      id10002: 53,
    });
    expect(utterances.every((u) => u.label === null && u.corpus === 'unlabeled-extra')).toBe(true);
    expect(new Set(utterances.map((u) => u.id)).size).toBe(utterances.length);
  });

  it('the VoxCeleb1 example clips also read with the voxceleb reader (flattened <video>_<NNNNN>[_segNN])', async () => {
    const { utterances } = await getCorpusReader('voxceleb').read(
      join(extra, 'voxceleb1-examples'),
      'vox',
      {},
    );
    expect(countBy(utterances, (u) => u.speaker)).toEqual({ id10001: 19, id10002: 53, id10003: 34 });
    expect(utterances.map((u) => u.id)).toContain('id10001/7w0IBEWc9Qw/00001_seg02');
    expect(utterances[0]).toMatchObject({ id: 'id10001/1zcIwhmdeo4/00001', speaker: 'id10001', label: null });
  });

  it('librispeech excerpts: 351 utterances of 261 speakers', async () => {
    const { utterances } = await getCorpusReader('librispeech').read(join(CORPORA, 'librispeech'), 'ls', {});
    expect(utterances).toHaveLength(351);
    expect(Object.keys(countBy(utterances, (u) => u.speaker))).toHaveLength(261);
  });

  it('a file of every unlabeled-extra source decodes (16 kb/s Opus) into 16 kHz MFCCs', async () => {
    const mfcc = resolveMfccOptions({ preset: 'python_speech_features' });
    for (const file of [
      'griko/spk_unknown/griko_001.opus',
      'interviews/y0xEoKRHRi4.opus',
      'mboshi/abiayi/abiayi_2015-09-10-11-25-36_samsung-SM-T530_mdw_elicit_Dico7_61.opus',
      'read-speech/LJ001-0001.opus',
      'speechocean762/SPEAKER3007/030070022.opus',
      'voxceleb1-examples/id10001/7w0IBEWc9Qw_00001_seg00.opus',
    ]) {
      const result = await runTask({
        kind: 'extract',
        path: join(extra, file),
        mfcc,
        normalise: true,
        minFrames: 100,
        pad: 'zero',
      });
      if (!result.ok) throw new Error(`${file}: ${result.message}`);
      expect(result.dims).toBe(40);
      expect(result.duration).toBeGreaterThan(0.5);
      expect(result.rawFrames).toBe(Math.ceil((result.duration * 16000 - 400) / 160) + 1);
    }
  });
});
