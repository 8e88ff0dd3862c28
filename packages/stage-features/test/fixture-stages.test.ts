import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readUtterances } from '../src/corpora/index.ts';
import type { SplitUtterance } from '../src/corpora/types.ts';
import { ingest, mfcc, split } from '../src/stages/index.ts';
import { openFeatureStore } from '../src/store/index.ts';
import { asArtifact, testContext } from './context.ts';
import { buildIemocapTree, buildVoxcelebTree } from './fixtures/trees.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'serx-fixture-stages-'));
  await buildIemocapTree(join(dir, 'iemocap'));
  await buildVoxcelebTree(join(dir, 'voxceleb'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('stages on the IEMOCAP and VoxCeleb fixture trees', { timeout: 120_000 }, () => {
  it('IEMOCAP: paper split (sessions 1-4 train, Ses05F validation, Ses05M test), other/undecided dropped', async () => {
    const i = await testContext(ingest, { corpus: 'iemocap', root: join(dir, 'iemocap'), probe: false });
    await ingest.run(i.ctx);
    const s = await testContext(
      split,
      {},
      { utterances: asArtifact(i.ctx.outputs.utterances!, 'utterances', ['iemocap']) },
    );
    await split.run(s.ctx);
    const { utterances } = await readUtterances<SplitUtterance>(s.ctx.outputs.utterances!);
    expect(utterances.map((u) => [u.id, u.split, u.class])).toEqual([
      ['Ses01F_impro01_F000', 'train', 'neutral'],
      ['Ses01F_impro01_M000', 'train', 'negative'],
      ['Ses01M_script01_1_F000', 'train', 'positive'],
      ['Ses01M_script01_1_M000', 'train', 'negative'],
      ['Ses05F_impro02_F000', 'validation', 'negative'],
      ['Ses05F_impro02_M000', 'test', 'positive'],
      ['Ses05M_script03_2_M000', 'test', 'positive'],
    ]);
    const leakage = JSON.parse(await readFile(join(s.ctx.outputs.utterances!, 'leakage.json'), 'utf8'));
    expect(leakage.dropped).toEqual({ 'label undecided': 1, 'label other': 1 });
    expect(leakage.rule).toContain('session 5 halved by speaker');
  });

  it('VoxCeleb: ingest (probing the generated audio) → split (no split: all train) → mfcc', async () => {
    const i = await testContext(
      ingest,
      { corpus: 'voxceleb', root: join(dir, 'voxceleb') },
      {},
      { threads: 1 },
    );
    await ingest.run(i.ctx);
    const s = await testContext(
      split,
      {},
      { utterances: asArtifact(i.ctx.outputs.utterances!, 'utterances', ['voxceleb']) },
    );
    await split.run(s.ctx);
    const m = await testContext(
      mfcc,
      {},
      { utterances: asArtifact(s.ctx.outputs.utterances!, 'utterances', ['voxceleb']) },
      { threads: 1 },
    );
    await mfcc.run(m.ctx);
    const store = await openFeatureStore(m.ctx.outputs.features!);
    // 0.25 s at 16 kHz = 4000 samples → 1 + ceil(3600 / 160) = 24 frames, padded to 100.
    expect(
      store.rows.map((r) => [r.id, r.speaker, r.label, r.class, r.split, r.rawFrames, r.frames]),
    ).toEqual(
      [
        'id10001/1zcIwhmdeo4/00001',
        'id10001/1zcIwhmdeo4/00002',
        'id10001/7w0IBEWc9Qw/00001',
        'id10002/6WO410QOeuo/00001',
        'id00012/21Uxsk56VDQ/00001',
        'id00015/0fijmz4vTVU/00003',
      ].map((id) => [id, id.split('/')[0], null, null, 'train', 24, 100]),
    );
    const data = store.read(store.rows[0]!);
    expect(data.subarray(24 * 40).every((v) => v === 0)).toBe(true);
    store.close();
  });
});
