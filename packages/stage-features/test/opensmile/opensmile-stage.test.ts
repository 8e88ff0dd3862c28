// features:opensmile as a stage: its stores (LLD frames and functionals), the normalisation and padding
// options it shares with features:mfcc, its refusals, bad audio, and the coded error when openSMILE
// is not provisioned. Real Emo-DB files, the real library (the global setup provisions it).
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readUtterances } from '../../src/corpora/index.ts';
import type { SplitUtterance } from '../../src/corpora/types.ts';
import { provisionScript } from '../../src/opensmile/installation.ts';
import { ingest, opensmile, split } from '../../src/stages/index.ts';
import { openFeatureStore } from '../../src/store/index.ts';
import { asArtifact, testContext } from '../context.ts';
import { sineWav, writeFileDeep } from '../fixtures/wav.ts';
import { CORPORA } from '../helpers.ts';

let tmp: string;
let utterances: ReturnType<typeof asArtifact>;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'serx-opensmile-stage-'));
  const i = await testContext(ingest, { corpus: 'emodb', root: join(CORPORA, 'emodb'), perSpeaker: 2 });
  await ingest.run(i.ctx);
  const s = await testContext(
    split,
    {},
    { utterances: asArtifact(i.ctx.outputs.utterances!, 'utterances', ['emodb']) },
  );
  await split.run(s.ctx);
  utterances = asArtifact(s.ctx.outputs.utterances!, 'utterances', ['emodb']);
}, 120_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Mean of each column over `rows` (frames × dims row-major each). */
function columnMeans(rows: Float32Array[], dims: number): number[] {
  const sum = new Array<number>(dims).fill(0);
  let n = 0;
  for (const data of rows)
    for (let f = 0; f < data.length / dims; f++, n++)
      for (let k = 0; k < dims; k++) sum[k]! += data[f * dims + k]!;
  return sum.map((v) => v / n);
}

describe('features:opensmile on Emo-DB (2 files per speaker)', { timeout: 180_000 }, () => {
  it('lld: frames × 25 eGeMAPS LLDs with their column names, normalised per utterance and padded as MFCCs', async () => {
    const t = await testContext(opensmile, { level: 'lld' }, { utterances });
    const result = await opensmile.run(t.ctx);
    const store = await openFeatureStore(t.ctx.outputs.features!);
    const { utterances: rows } = await readUtterances<SplitUtterance>(utterances.path);
    expect(store.meta).toMatchObject({
      dims: 25,
      sampleRate: 16000,
      count: 20,
      featureSet: 'eGeMAPSv02',
      level: 'lld',
      normalise: true,
      minFrames: 100,
      pad: 'zero',
      opensmile: { version: '2.6.0', featureSet: 'eGeMAPSv02', level: 'lld' },
    });
    const columns = store.meta.columns as string[];
    expect(columns).toHaveLength(25);
    expect(columns.slice(0, 2)).toEqual(['Loudness_sma3', 'alphaRatio_sma3']);
    expect(store.rows.map((r) => r.id)).toEqual(rows.map((u) => u.id));
    // 03a01Fa: 30372 samples, 10 ms step → 185 LLD frames (opensmile-python gives the same; conformance test)
    expect(store.rows[0]).toMatchObject({
      id: '03a01Fa',
      class: 'positive',
      split: 'train',
      rawFrames: 185,
      frames: 185,
    });
    const first = store.read(store.rows[0]!);
    const means = columnMeans([first], 25);
    for (const m of means) expect(Math.abs(m)).toBeLessThan(1e-4);
    expect(store.rows.every((r) => r.frames >= 100 && (r.frames === 100 || r.frames === r.rawFrames))).toBe(
      true,
    );
    expect(result?.meta?.features).toMatchObject({ count: 20, skipped: 0, dims: 25, level: 'lld' });
    expect(result?.meta?.statistics).toMatchObject({
      featureSet: 'eGeMAPSv02',
      level: 'lld',
      trainUtterances: 16,
    });
    const stats = JSON.parse(await readFile(join(t.ctx.outputs.statistics!, 'statistics.json'), 'utf8'));
    expect(stats).toMatchObject({ corpus: 'emodb', dims: 25, utterances: 16 });
    expect(t.ticks).toMatchObject({ total: 20, done: 20, labels: ['decode + openSMILE'] });
    expect(t.metrics.realtime_factor).toBeGreaterThan(0);
    store.close();
  });

  it('functionals: one row of 88 values per utterance, not normalised by default', async () => {
    const t = await testContext(opensmile, {}, { utterances });
    await opensmile.run(t.ctx);
    const store = await openFeatureStore(t.ctx.outputs.features!);
    expect(store.meta).toMatchObject({
      dims: 88,
      count: 20,
      level: 'functionals',
      normalise: false,
      minFrames: 1,
    });
    expect((store.meta.columns as string[])[0]).toBe('F0semitoneFrom27.5Hz_sma3nz_amean');
    expect(store.rows.every((r) => r.frames === 1 && r.rawFrames === 1)).toBe(true);
    // raw eGeMAPS: the mean F0 of a male speaker's utterance is tens of semitones above 27.5 Hz
    const f0 = store.read(store.rows[0]!)[0]!;
    expect(f0).toBeGreaterThan(10);
    expect(f0).toBeLessThan(50);
    store.close();
  });

  it('functionals normalised per corpus by the train partition (statistics of the same features only)', async () => {
    const t = await testContext(opensmile, { normalise: 'corpus' }, { utterances });
    const result = await opensmile.run(t.ctx);
    const store = await openFeatureStore(t.ctx.outputs.features!);
    expect(store.meta).toMatchObject({
      normalise: 'corpus',
      normalisation: { mode: 'corpus', statsFrom: 'train' },
    });
    const train = store.rows.filter((r) => r.split === 'train').map((r) => store.read(r));
    for (const m of columnMeans(train, 88)) expect(Math.abs(m)).toBeLessThan(1e-3);
    store.close();

    // another corpus's statistics of another level cannot normalise these columns
    const other = asArtifact(t.ctx.outputs.statistics!, 'opensmile-statistics', ['emodb'], {
      ...(result?.meta?.statistics as object),
      level: 'lld',
    });
    const mixed = await testContext(
      opensmile,
      { normalise: 'corpus', statsFrom: 'training-corpora' },
      { utterances, statistics: [other] },
    );
    await expect(opensmile.run(mixed.ctx)).rejects.toMatchObject({
      code: 'features:NORMALISATION',
      message: expect.stringContaining('are of eGeMAPSv02 lld, these features are eGeMAPSv02 functionals'),
    });
  });

  it('refuses what a level cannot do before anything runs', () => {
    const t = (params: object) => () =>
      opensmile.corpora!(
        { featureSet: 'eGeMAPSv02', level: 'functionals', sampleRate: 16000, ...params },
        {},
      );
    expect(t({ normalise: 'utterance' })).toThrow(
      expect.objectContaining({ code: 'features:NORMALISATION' }),
    );
    expect(t({ normalise: true })).toThrow(/all zeros/);
    expect(t({ minFrames: 100 })).toThrow(expect.objectContaining({ code: 'SPEC_PARAMS' }));
    expect(t({ normalise: 'corpus', statsFrom: 'training-corpora' })).toThrow(
      expect.objectContaining({ code: 'SPEC_INPUT_MISSING' }),
    );
    expect(t({ level: 'lld', normalise: 'utterance', minFrames: 100 })()).toEqual([]);
  });
});

describe('features:opensmile: bad audio, and openSMILE not provisioned', { timeout: 120_000 }, () => {
  it('skips (or fails on) bad and too-short files, naming them', async () => {
    const root = join(tmp, 'bad');
    await writeFileDeep(join(root, 'angry/s1_ok.wav'), sineWav(0.5));
    await writeFileDeep(join(root, 'angry/s1_blip.wav'), sineWav(0.03)); // 30 ms: no 60 ms LLD window fits
    await writeFileDeep(join(root, 'sad/s2_empty.wav'), Buffer.alloc(0));
    const i = await testContext(ingest, {
      corpus: 'mine',
      reader: 'folder-per-label',
      root,
      probe: false,
      options: { speakerPattern: '^(s\\d)_' },
    });
    await ingest.run(i.ctx);
    const input = asArtifact(i.ctx.outputs.utterances!, 'utterances', ['mine']);
    const skip = await testContext(
      opensmile,
      { level: 'lld', onBadAudio: 'skip' },
      { utterances: input },
      { threads: 1 },
    );
    const result = await opensmile.run(skip.ctx);
    expect(result?.meta?.features).toMatchObject({ count: 1, skipped: 2 });
    const listed = (await readFile(join(skip.ctx.outputs.features!, 'skipped.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(listed.map((s) => [s.id, s.reason])).toEqual([
      ['angry/s1_blip', 'too-short'],
      ['sad/s2_empty', 'empty'],
    ]);
    const fail = await testContext(opensmile, { level: 'lld' }, { utterances: input }, { threads: 1 });
    await expect(opensmile.run(fail.ctx)).rejects.toMatchObject({
      code: 'INPUT_DATA',
      message: expect.stringContaining('s1_blip.wav: too-short audio: openSMILE computed no frame'),
    });
  });

  it('fails with ENVIRONMENT naming the setup command; the key then says so', async () => {
    const before = process.env.SERX_OPENSMILE_HOME;
    process.env.SERX_OPENSMILE_HOME = join(tmp, 'no-opensmile-here');
    try {
      const t = await testContext(opensmile, {}, { utterances });
      await expect(opensmile.run(t.ctx)).rejects.toMatchObject({
        code: 'ENVIRONMENT',
        message: expect.stringContaining('run `npx serx setup --with opensmile`'),
      });
      expect(await opensmile.fingerprint!(t.ctx.params, t.ctx.signal)).toBe('opensmile: not provisioned');
    } finally {
      if (before === undefined) delete process.env.SERX_OPENSMILE_HOME;
      else process.env.SERX_OPENSMILE_HOME = before;
    }
    const t = await testContext(opensmile, {}, { utterances });
    expect(await opensmile.fingerprint!(t.ctx.params, t.ctx.signal)).toMatch(
      /^opensmile 2\.6\.0 [0-9a-f]{64}$/,
    );
  });

  it('the key holds the manifest and every config file, read again when provisioning rewrites the manifest', async () => {
    const provisioned = (await provisionScript()).opensmilePaths().home;
    const home = join(tmp, 'opensmile-copy');
    await cp(provisioned, home, { recursive: true });
    /** The documented value, computed here from the files. */
    async function expected(): Promise<string> {
      const manifest = JSON.parse(await readFile(join(home, 'manifest.json'), 'utf8'));
      const hash = createHash('sha256').update(`${manifest.version}\n${manifest.librarySha256}\n`);
      const files = (await readdir(join(home, 'config'), { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name))
        .sort();
      expect(files.length).toBeGreaterThan(40);
      for (const file of files)
        hash.update(`${file.slice(join(home, 'config').length + 1)}\n`).update(await readFile(file));
      return `opensmile ${manifest.version} ${hash.digest('hex')}`;
    }
    const before = process.env.SERX_OPENSMILE_HOME;
    process.env.SERX_OPENSMILE_HOME = home;
    try {
      const t = await testContext(opensmile, {}, { utterances });
      const key = () => opensmile.fingerprint!(t.ctx.params, t.ctx.signal);
      const first = await expected();
      expect(await key()).toBe(first);
      // a config edited as a new provisioning would: the manifest written again with it
      const config = join(home, 'config', 'egemaps', 'v02', 'eGeMAPSv02.conf');
      await writeFile(config, `${await readFile(config, 'utf8')}\n; edited\n`);
      const manifest = await readFile(join(home, 'manifest.json'), 'utf8');
      await rm(join(home, 'manifest.json'));
      await writeFile(join(home, 'manifest.json'), manifest);
      const second = await expected();
      expect(second).not.toBe(first);
      expect(await key()).toBe(second);
      await rm(join(home, 'manifest.json'));
      expect(await key()).toBe('opensmile: not provisioned');
    } finally {
      if (before === undefined) delete process.env.SERX_OPENSMILE_HOME;
      else process.env.SERX_OPENSMILE_HOME = before;
    }
  });
});
