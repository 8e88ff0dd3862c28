import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Artifact, loadSpec } from '@serx/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveMfccOptions } from '../src/mfcc/index.ts';
import { ingest, mfcc, split } from '../src/stages/index.ts';
import { type FeatureStore, openFeatureStore } from '../src/store/index.ts';
import { runTask } from '../src/workers/index.ts';
import { asArtifact, testContext } from './context.ts';
import { CORPORA } from './helpers.ts';

const DIMS = 40;

/** ingest → split of a real corpus subset; returns the split utterances as an artifact. */
async function splitCorpus(
  corpus: string,
  root: string,
  rule: string,
  perSpeaker?: number,
): Promise<Artifact> {
  const i = await testContext(ingest, { corpus, root, probe: false, ...(perSpeaker ? { perSpeaker } : {}) });
  await ingest.run(i.ctx);
  const s = await testContext(
    split,
    { rule },
    { utterances: asArtifact(i.ctx.outputs.utterances!, 'utterances', [corpus]) },
  );
  await split.run(s.ctx);
  return asArtifact(s.ctx.outputs.utterances!, 'utterances', [corpus]);
}

async function runMfcc(params: Record<string, unknown>, utterances: Artifact, statistics?: Artifact[]) {
  const inputs = { utterances, ...(statistics ? { statistics } : {}) };
  // One worker: booting a second costs more than it saves on these few files.
  const t = await testContext(mfcc, params, inputs, { threads: 1 });
  await mfcc.run(t.ctx);
  return {
    store: await openFeatureStore(t.ctx.outputs.features!),
    statistics: asArtifact(t.ctx.outputs.statistics!, 'mfcc-statistics', []),
    logs: t.logs,
  };
}

/** Float64 mean/std per coefficient over the real (unpadded) frames of the rows `pick` keeps. */
function realFrameStats(
  store: FeatureStore,
  pick: (row: { split: string | null; speaker: string }) => boolean,
) {
  const sum = new Float64Array(DIMS);
  const sq = new Float64Array(DIMS);
  let n = 0;
  for (const { row, data } of store.iterate()) {
    if (!pick(row)) continue;
    const real = row.rawFrames as number;
    for (let t = 0; t < real; t++)
      for (let k = 0; k < DIMS; k++) {
        const x = data[t * DIMS + k]!;
        sum[k] = sum[k]! + x;
        sq[k] = sq[k]! + x * x;
      }
    n += real;
  }
  const mean = Array.from(sum, (s) => s / n);
  return { n, mean, std: Array.from(sq, (s, k) => Math.sqrt(s / n - mean[k]! ** 2)) };
}

describe('features:mfcc normalisation choices on real Emo-DB and TESS files', { timeout: 180_000 }, () => {
  let emodb: Artifact;
  let tess: Artifact;
  let raw: FeatureStore;
  let rawStatistics: Artifact;
  beforeAll(async () => {
    emodb = await splitCorpus('emodb', join(CORPORA, 'emodb'), 'paper', 2);
    tess = await splitCorpus('tess', join(CORPORA, 'raw-samples/tess'), 'all-test');
    ({ store: raw, statistics: rawStatistics } = await runMfcc({ normalise: 'none' }, emodb));
  }, 180_000);

  it('the statistics output is the raw train-partition mean/std, whatever the mode', async () => {
    const expected = realFrameStats(raw, (r) => r.split === 'train');
    const file = JSON.parse(await readFile(join(rawStatistics.path, 'statistics.json'), 'utf8'));
    expect(file).toMatchObject({
      corpus: 'emodb',
      partition: 'train',
      dims: DIMS,
      utterances: 16,
      frames: expected.n,
    });
    for (let k = 0; k < DIMS; k++) {
      expect(file.mean[k]).toBeCloseTo(expected.mean[k]!, 4);
      expect(file.std[k]).toBeCloseTo(expected.std[k]!, 4);
    }
  });

  it('utterance (default) is byte-identical to the worker-side per-utterance normalisation of version 1', async () => {
    const { store } = await runMfcc({}, emodb);
    expect(store.meta.normalise).toBe(true);
    const row = store.rows[0]!;
    const old = await runTask({
      kind: 'extract',
      path: join(CORPORA, 'emodb/wav', `${row.id}.flac`),
      mfcc: resolveMfccOptions({ preset: 'python_speech_features' }),
      normalise: true,
      minFrames: 100,
      pad: 'zero',
    });
    if (!old.ok) throw new Error(old.message);
    expect(Buffer.from(store.read(row).buffer).equals(Buffer.from(old.data.buffer))).toBe(true);
  });

  it('corpus: train rows end at mean 0 / std 1; test rows use the train statistics', async () => {
    const { store } = await runMfcc({ normalise: 'corpus' }, emodb);
    expect(store.meta).toMatchObject({
      normalise: 'corpus',
      normalisation: { mode: 'corpus', statsFrom: 'train' },
    });
    const train = realFrameStats(store, (r) => r.split === 'train');
    for (let k = 0; k < DIMS; k++) {
      expect(train.mean[k]).toBeCloseTo(0, 4);
      expect(train.std[k]).toBeCloseTo(1, 3);
    }
    const stats = realFrameStats(raw, (r) => r.split === 'train');
    const testRow = store.rows.find((r) => r.split === 'test')!;
    const rawRow = raw.read(raw.rows.find((r) => r.id === testRow.id)!);
    const got = store.read(testRow);
    for (const i of [0, 1, 39, 40 * 50 + 7]) {
      const k = i % DIMS;
      expect(got[i]).toBeCloseTo((rawRow[i]! - stats.mean[k]!) / stats.std[k]!, 4);
    }
  });

  it('speaker: every speaker, test speakers included, is at mean 0 / std 1 over its own frames', async () => {
    const { store } = await runMfcc({ normalise: 'speaker' }, emodb);
    for (const speaker of ['03', '15', '16']) {
      const s = realFrameStats(store, (r) => r.speaker === speaker);
      expect(Math.max(...s.mean.map(Math.abs))).toBeLessThan(1e-4);
      expect(Math.max(...s.std.map((x) => Math.abs(x - 1)))).toBeLessThan(1e-3);
    }
  });

  it('the unseen corpus: train statistics are refused (it has none); own, or the training corpora', async () => {
    await expect(runMfcc({ normalise: 'corpus' }, tess)).rejects.toThrow(/no train rows/);
    const own = await runMfcc({ normalise: 'corpus', statsFrom: 'own' }, tess);
    const ownStats = realFrameStats(own.store, () => true);
    expect(Math.max(...ownStats.mean.map(Math.abs))).toBeLessThan(1e-4);

    const training = await runMfcc({ normalise: 'corpus', statsFrom: 'training-corpora' }, tess, [
      rawStatistics,
    ]);
    expect(training.store.meta).toMatchObject({
      normalisation: { statsFrom: 'training-corpora', from: ['emodb'] },
    });
    const stats = realFrameStats(raw, (r) => r.split === 'train');
    const rawTess = await runMfcc({ normalise: 'none' }, tess);
    const row = training.store.rows[0]!;
    const got = training.store.read(row);
    const rawRow = rawTess.store.read(rawTess.store.rows[0]!);
    for (const i of [0, 5, 40 * 30 + 12]) {
      const k = i % DIMS;
      expect(got[i]).toBeCloseTo((rawRow[i]! - stats.mean[k]!) / stats.std[k]!, 4);
    }
    // At run time too, statistics whose lineage holds a held-out corpus are refused.
    const t = await testContext(
      mfcc,
      { normalise: 'corpus', statsFrom: 'training-corpora' },
      {
        utterances: tess,
        statistics: [{ ...rawStatistics, corpora: ['emodb', 'tess'] }],
      },
    );
    await expect(mfcc.run({ ...t.ctx, heldOut: ['tess'] })).rejects.toMatchObject({ code: 'HELD_OUT_DATA' });
    // TESS has no train rows: its statistics output is empty, so it cannot normalise anything.
    const tessStats = JSON.parse(await readFile(join(own.statistics.path, 'statistics.json'), 'utf8'));
    expect(tessStats).toMatchObject({ corpus: 'tess', utterances: 0, frames: 0 });
  });
});

describe('the held-out guard covers normalisation statistics', () => {
  const specs = join(import.meta.dirname, 'specs');

  it('statsFrom: training-corpora without the statistics input is a coded spec error at the stage', async () => {
    const refused = loadSpec(join(specs, 'statistics-unwired.yaml'));
    await expect(refused).rejects.toMatchObject({
      code: 'SPEC_INPUT_MISSING',
      specPath: 'stages.mfcc_emodb',
      loc: { line: 10, col: 3 },
    });
    await expect(refused).rejects.toThrow("needs the 'statistics' input wired");
  });

  it("a held-out corpus's statistics wired into another corpus's mfcc are refused before anything runs", async () => {
    await expect(loadSpec(join(specs, 'held-out-statistics.yaml'))).rejects.toMatchObject({
      code: 'SPEC_HELD_OUT_LEAK',
      specPath: 'stages.mfcc_emodb.inputs.statistics',
      loc: { line: 21, col: 64 },
      message: expect.stringContaining('ingest_tess → split_tess → mfcc_tess → mfcc_emodb.statistics'),
    });
  });

  it("the training corpora's statistics normalising the unseen corpus are accepted", async () => {
    const graph = await loadSpec(join(specs, 'unseen-statistics.yaml'));
    expect(graph.nodes.get('mfcc_tess')!.corpora).toEqual(['emodb', 'tess']);
  });
});
