import { mkdtemp, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readUtterances } from '../src/corpora/index.ts';
import type { SplitUtterance } from '../src/corpora/types.ts';
import { ingest, mfcc, split } from '../src/stages/index.ts';
import { openFeatureStore } from '../src/store/index.ts';
import { asArtifact, testContext, validParams } from './context.ts';
import { sineWav, writeFileDeep } from './fixtures/wav.ts';
import { CORPORA, countBy } from './helpers.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'serx-stages-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('features:ingest → split → mfcc on Emo-DB (2 files per speaker)', { timeout: 120_000 }, () => {
  let ingestDir: string;
  let splitDir: string;

  it('ingest reads, subsets, probes and measures', async () => {
    const t = await testContext(ingest, { corpus: 'emodb', root: join(CORPORA, 'emodb'), perSpeaker: 2 });
    const result = await ingest.run(t.ctx);
    ingestDir = t.ctx.outputs.utterances!;
    const { meta, utterances } = await readUtterances(ingestDir);
    expect(meta).toMatchObject({ corpus: 'emodb', reader: 'emodb', count: 20, skipped: 0, labelled: true });
    expect(countBy(utterances, (u) => u.speaker)).toEqual(
      Object.fromEntries(['03', '08', '09', '10', '11', '12', '13', '14', '15', '16'].map((s) => [s, 2])),
    );
    expect(utterances.filter((u) => u.speaker === '03').map((u) => [u.id, u.label])).toEqual([
      ['03a01Fa', 'happiness'],
      ['03a01Nc', 'neutral'],
    ]);
    // 03a01Fa.flac holds 30372 samples at 16 kHz.
    expect(utterances[0]!.duration).toBeCloseTo(1.8983, 4);
    expect(result?.meta?.utterances).toMatchObject({ count: 20, found: 535, skipped: 0 });
    expect(t.ticks).toMatchObject({ total: 20, done: 20 });
    expect(ingest.corpora!(t.ctx.params, {})).toEqual(['emodb']);
    expect(await readFile(join(ingestDir, 'skipped.jsonl'), 'utf8')).toBe('');
  });

  it('split applies the paper rule and writes the leakage report', async () => {
    const t = await testContext(split, {}, { utterances: asArtifact(ingestDir, 'utterances', ['emodb']) });
    await split.run(t.ctx);
    splitDir = t.ctx.outputs.utterances!;
    const { utterances } = await readUtterances<SplitUtterance>(splitDir);
    expect(countBy(utterances, (u) => u.split)).toEqual({ train: 16, validation: 2, test: 2 });
    expect(utterances.filter((u) => u.split === 'test').map((u) => u.speaker)).toEqual(['15', '15']);
    expect(utterances.find((u) => u.id === '03a01Fa')).toMatchObject({ class: 'positive', split: 'train' });
    const leakage = JSON.parse(await readFile(join(splitDir, 'leakage.json'), 'utf8'));
    expect(leakage).toMatchObject({
      corpus: 'emodb',
      ok: true,
      sharedSpeakers: [],
      partitions: { validation: { speakers: ['16'] } },
    });
    expect(t.artifacts).toEqual([join(splitDir, 'leakage.json')]);
    expect(t.metrics).toMatchObject({ train_utterances: 16, validation_utterances: 2, test_utterances: 2 });
  });

  it('mfcc writes a normalised, padded feature store in input order with split and class', async () => {
    const t = await testContext(mfcc, {}, { utterances: asArtifact(splitDir, 'utterances', ['emodb']) });
    const result = await mfcc.run(t.ctx);
    const store = await openFeatureStore(t.ctx.outputs.features!);
    const { utterances } = await readUtterances<SplitUtterance>(splitDir);
    expect(store.meta).toMatchObject({
      dims: 40,
      sampleRate: 16000,
      count: 20,
      normalise: true,
      minFrames: 100,
      preset: 'python_speech_features',
    });
    expect(store.rows.map((r) => r.id)).toEqual(utterances.map((u) => u.id));
    const first = store.rows[0]!;
    // 30372 samples → 1 + ceil((30372 - 400) / 160) = 189 frames (python_speech_features framing).
    expect(first).toMatchObject({
      id: '03a01Fa',
      corpus: 'emodb',
      speaker: '03',
      gender: 'male',
      label: 'happiness',
      class: 'positive',
      split: 'train',
      rawFrames: 189,
      frames: 189,
    });
    const data = store.read(first);
    for (const k of [0, 1, 39]) {
      let sum = 0;
      let sq = 0;
      for (let f = 0; f < first.frames; f++) sum += data[f * 40 + k]!;
      for (let f = 0; f < first.frames; f++) sq += (data[f * 40 + k]! - sum / first.frames) ** 2;
      expect(Math.abs(sum / first.frames)).toBeLessThan(1e-5);
      expect(Math.sqrt(sq / first.frames)).toBeCloseTo(1, 4);
    }
    expect(store.rows.every((r) => r.frames >= 100 && (r.frames === 100 || r.frames === r.rawFrames))).toBe(
      true,
    );
    expect(result?.meta?.features).toMatchObject({ count: 20, skipped: 0, dims: 40 });
    // the speed itself is a bench figure (bench/extract.bench.ts); here: it is reported, and sane
    expect(Number.isFinite(t.metrics.realtime_factor)).toBe(true);
    expect(t.metrics.realtime_factor).toBeGreaterThan(0);
    store.close();
  });
});

describe('bad audio and absent corpora', { timeout: 120_000 }, () => {
  let root: string;
  beforeAll(async () => {
    root = join(tmp, 'bad');
    await writeFileDeep(join(root, 'angry/s1_ok.wav'), sineWav(0.5));
    await writeFileDeep(join(root, 'angry/s1_empty.wav'), Buffer.alloc(0));
    await writeFileDeep(join(root, 'sad/s2_silent.wav'), sineWav(0.5, 220, 16000, 0));
    await writeFileDeep(join(root, 'sad/s2_truncated.wav'), sineWav(0.5).subarray(0, 30));
  });
  const params = (onBadAudio: string) => ({
    corpus: 'mine',
    reader: 'folder-per-label',
    root,
    onBadAudio,
    options: { speakerPattern: '^(s\\d)_' },
  });

  it('onBadAudio: fail names the file and the reason', async () => {
    const t = await testContext(ingest, params('fail'), {}, { threads: 1 });
    await expect(ingest.run(t.ctx)).rejects.toMatchObject({
      code: 'INPUT_DATA',
      message: expect.stringContaining(join(root, 'angry/s1_empty.wav')),
    });
  });

  it('onBadAudio: skip lists each skipped file with its reason', async () => {
    const t = await testContext(ingest, params('skip'), {}, { threads: 1 });
    const result = await ingest.run(t.ctx);
    const dir = t.ctx.outputs.utterances!;
    expect((await readUtterances(dir)).utterances.map((u) => u.id)).toEqual(['angry/s1_ok']);
    const skipped = (await readFile(join(dir, 'skipped.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(skipped.map((s) => [s.id, s.reason])).toEqual([
      ['angry/s1_empty', 'empty'],
      ['sad/s2_silent', 'silent'],
      ['sad/s2_truncated', 'truncated'],
    ]);
    expect(result?.meta?.utterances).toMatchObject({ count: 1, skipped: 3 });
    expect(t.logs.filter((l) => l.level === 'warn')).toHaveLength(3);
    expect(t.metrics.skipped).toBe(3);
  });

  it('an absent optional corpus is an empty set with a notice; a required one is INPUT_DATA', async () => {
    const t = await testContext(ingest, { corpus: 'iemocap', root: join(tmp, 'nope'), optional: true });
    await ingest.run(t.ctx);
    expect((await readUtterances(t.ctx.outputs.utterances!)).utterances).toEqual([]);
    expect(t.logs[0]!.message).toContain("corpus 'iemocap' is absent");
    expect(await ingest.fingerprint!(t.ctx.params, t.ctx.signal)).toBe('absent');
    // a required absent corpus is refused by the params schema, before anything runs
    expect(() => validParams(ingest, { corpus: 'iemocap', root: join(tmp, 'nope') })).toThrow(
      /root must match format "existing-path"/,
    );
  });

  it('mfcc: onBadAudio skip (ingest without probe) lists the bad files; fail stops; an abort stops promptly', async () => {
    const i = await testContext(ingest, { ...params('fail'), probe: false });
    await ingest.run(i.ctx);
    const utterances = asArtifact(i.ctx.outputs.utterances!, 'utterances', ['mine']);
    const skip = await testContext(mfcc, { onBadAudio: 'skip' }, { utterances }, { threads: 1 });
    const result = await mfcc.run(skip.ctx);
    const store = await openFeatureStore(skip.ctx.outputs.features!);
    expect(store.rows.map((r) => [r.id, r.class, r.split])).toEqual([['angry/s1_ok', null, null]]);
    expect(result?.meta?.features).toMatchObject({ count: 1, skipped: 3 });
    const listed = (await readFile(join(skip.ctx.outputs.features!, 'skipped.jsonl'), 'utf8'))
      .trim()
      .split('\n');
    expect(listed.map((l) => JSON.parse(l).reason)).toEqual(['empty', 'silent', 'truncated']);

    const fail = await testContext(mfcc, {}, { utterances }, { threads: 1 });
    await expect(mfcc.run(fail.ctx)).rejects.toMatchObject({
      code: 'INPUT_DATA',
      message: expect.stringContaining('s1_empty.wav: empty audio'),
    });

    // Abort after the first utterance is done: the stage stops with the abort reason.
    const controller = new AbortController();
    const aborted = await testContext(
      mfcc,
      { onBadAudio: 'skip' },
      { utterances },
      { threads: 1, signal: controller.signal },
    );
    const progress = { total: () => {}, tick: () => controller.abort(new Error('interrupted by test')) };
    await expect(mfcc.run({ ...aborted.ctx, progress })).rejects.toThrow('interrupted by test');
    expect(aborted.logs.filter((l) => l.level === 'warn')).toHaveLength(1);
  });

  it('an empty utterance set gives an empty, readable feature store', async () => {
    const i = await testContext(ingest, { corpus: 'iemocap', root: join(tmp, 'absent'), optional: true });
    await ingest.run(i.ctx);
    const s = await testContext(
      split,
      {},
      { utterances: asArtifact(i.ctx.outputs.utterances!, 'utterances', ['iemocap']) },
    );
    await split.run(s.ctx);
    const m = await testContext(
      mfcc,
      {},
      { utterances: asArtifact(s.ctx.outputs.utterances!, 'utterances', ['iemocap']) },
    );
    await mfcc.run(m.ctx);
    const store = await openFeatureStore(m.ctx.outputs.features!);
    expect(store.meta).toMatchObject({ count: 0, shards: 0, dims: 40 });
    expect([...store.iterate()]).toEqual([]);
  });

  it('fingerprint changes when a corpus file changes', async () => {
    const p = validParams(ingest, params('skip'));
    const before = await ingest.fingerprint!(p, new AbortController().signal);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(await ingest.fingerprint!(p, new AbortController().signal)).toBe(before);
    await utimes(join(root, 'angry/s1_ok.wav'), new Date(), new Date(Date.now() + 5000));
    expect(await ingest.fingerprint!(p, new AbortController().signal)).not.toBe(before);
  });

  it('params schemas reject unknown readers, rules and MFCC options', () => {
    // The reader, its options and the kind of root are checked by corpora(), when the spec is loaded.
    const checked = (params: Record<string, unknown>) => () =>
      ingest.corpora!(validParams(ingest, params), {});
    expect(checked({ corpus: 'x', root: tmp, reader: 'nope' })).toThrow(
      expect.objectContaining({ code: 'features:READER_UNKNOWN' }),
    );
    expect(checked({ corpus: 'ravdess', root: tmp, options: { vocalChannel: 'opera' } })).toThrow(
      expect.objectContaining({
        code: 'features:READER_OPTIONS',
        message: expect.stringContaining(
          "corpus reader 'ravdess': options.vocalChannel must be equal to one of the allowed values",
        ),
      }),
    );
    expect(checked({ corpus: 'emodb', root: tmp, options: { speaker: 'a' } })).toThrow(
      "corpus reader 'emodb': options.speaker is not an option of this reader (its options: none)",
    );
    expect(checked({ corpus: 'x', reader: 'manifest', root: tmp })).toThrow(
      `root ${tmp} is a folder; reader 'manifest' reads a file`,
    );
    expect(checked({ corpus: 'tess', root: tmp })()).toEqual(['tess']);
    expect(() => validParams(split, { rule: 'random' })).toThrow(/params invalid/);
    expect(validParams(split, { rule: { speakers: { test: ['15'] } } })).toMatchObject({
      rule: { speakers: { test: ['15'] } },
      useDefaultMapping: true,
    });
    expect(() => validParams(mfcc, { options: { numCepz: 13 } })).toThrow(/params invalid/);
    expect(() => validParams(mfcc, { normalise: 'global' })).toThrow(/params invalid/);
    expect(validParams(mfcc, { normalise: false })).toMatchObject({ normalise: false });
    expect(validParams(mfcc, {})).toEqual({
      preset: 'python_speech_features',
      normalise: 'utterance',
      statsFrom: 'train',
      minFrames: 100,
      pad: 'zero',
      onBadAudio: 'fail',
    });
  });
});

describe('raw distributions decode in the workers', { timeout: 120_000 }, () => {
  it('mfcc on the raw TESS samples (24.4 kHz, one AIFF named .wav) resamples to 16 kHz', async () => {
    const i = await testContext(
      ingest,
      { corpus: 'tess', root: join(CORPORA, 'raw-samples/tess') },
      {},
      { threads: 1 },
    );
    await ingest.run(i.ctx);
    const s = await testContext(
      split,
      {},
      { utterances: asArtifact(i.ctx.outputs.utterances!, 'utterances', ['tess']) },
    );
    await split.run(s.ctx);
    const m = await testContext(
      mfcc,
      {},
      { utterances: asArtifact(s.ctx.outputs.utterances!, 'utterances', ['tess']) },
      { threads: 1 },
    );
    await mfcc.run(m.ctx);
    const store = await openFeatureStore(m.ctx.outputs.features!);
    expect(store.rows.map((r) => [r.id, r.split, r.class])).toEqual([
      ['OAF_back_angry', 'test', 'negative'],
      ['YAF_back_happy', 'test', 'positive'],
      ['YAF_neat_fear', 'test', 'negative'],
    ]);
    for (const row of store.rows)
      expect(row.rawFrames).toBe(1 + Math.ceil((Math.round((row.duration as number) * 16000) - 400) / 160));
    store.close();
  });
});
