import { definingModule } from '@serx/core';
import { describe, expect, it } from 'vitest';
import { getCorpusReader, listCorpusReaders } from '../src/corpora/index.ts';
import defaultExport, { plugin } from '../src/index.ts';
import { ingestShards } from '../src/stages/ingest-shards.ts';

describe('plugin', () => {
  it('registers the five stages, the built-in readers and the features command', () => {
    expect(defaultExport).toBe(plugin);
    expect(plugin.name).toBe('@serx/stage-features');
    expect(plugin.version).toBe('0.1.0');
    expect(
      plugin.stages.map((s) => [s.name, Object.keys(s.inputs), Object.keys(s.outputs), s.resources?.class]),
    ).toEqual([
      ['features:ingest', [], ['utterances'], 'cpu-heavy'],
      ['features:split', ['utterances'], ['utterances'], 'light'],
      ['features:mfcc', ['utterances', 'statistics'], ['features', 'statistics'], 'cpu-heavy'],
      ['features:opensmile', ['utterances', 'statistics'], ['features', 'statistics'], 'cpu-heavy'],
      ['features:select', ['features'], ['features'], 'io'],
    ]);
    expect(plugin.stages[2]!.inputs.statistics).toMatchObject({ many: true, optional: true, fits: true });
    expect(plugin.stages[3]!.inputs.statistics).toMatchObject({ many: true, optional: true, fits: true });
    expect(plugin.register).toBeDefined();
    // test/setup.ts has run setup already; running it again is harmless (same objects).
    plugin.register!();
    expect(listCorpusReaders().map((r) => [r.name, r.labelled, r.labels?.length ?? null])).toEqual([
      ['emodb', true, 7],
      ['emovo', true, 7],
      ['folder-per-label', true, null],
      ['iemocap', true, 11],
      ['librispeech', false, null],
      ['manifest', true, null],
      ['ravdess', true, 8],
      ['savee', true, 7],
      ['tess', true, 7],
      ['unlabelled', false, null],
      ['voxceleb', false, null],
    ]);
    // Each reader's own file is part of the ingest stage's code fingerprint (cache key).
    expect(definingModule(getCorpusReader('emodb'))).toMatch(/src\/corpora\/emodb\.ts$/);
    expect(definingModule(getCorpusReader('iemocap'))).toMatch(/src\/corpora\/iemocap\.ts$/);
    // ... and so is its shard contract (same key sharded or not)
    expect(plugin.stages[0]!.codeDependencies!({ corpus: 'x', reader: 'tess', root: '/' })).toEqual([
      getCorpusReader('tess'),
      ingestShards,
    ]);
    expect(definingModule(ingestShards)).toMatch(/src\/stages\/ingest-shards\.ts$/);
    expect(plugin.commands?.map((c) => c.name)).toEqual(['features']);
  });
});
