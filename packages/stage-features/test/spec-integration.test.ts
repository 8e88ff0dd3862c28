import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Graph, loadSpec, openCache, runGraph } from '@serx/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFeatureStore } from '../src/store/index.ts';

const specs = join(import.meta.dirname, 'specs');
let cacheDir: string;
beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'serx-features-cache-'));
});
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe('the stages inside the core runner', { timeout: 120_000 }, () => {
  it('the smoke spec (every corpus, ingest → split → mfcc) resolves with lineage per corpus', async () => {
    const graph = await loadSpec(join(specs, 'smoke-features.yaml'));
    expect(graph.order).toHaveLength(21);
    expect(graph.nodes.get('mfcc_tess')!.corpora).toEqual(['tess']);
    expect(graph.nodes.get('ingest_voxceleb')!.params).toMatchObject({
      reader: 'librispeech',
      optional: false,
      onBadAudio: 'fail',
      probe: true,
    });
    expect(graph.nodes.get('split_emodb')!.params).toEqual({ rule: 'paper', useDefaultMapping: true });
  });

  it('runs ingest → split → mfcc for two corpora, then hits the cache', async () => {
    const graph: Graph = await loadSpec(join(specs, 'two-corpora.yaml'));
    const first = await runGraph(graph, { cache: cacheDir, threads: 2, jobs: 2 });
    expect(first.errors.map((e) => e.message)).toEqual([]);
    expect(first.counts).toMatchObject({ succeeded: 6, failed: 0 });
    const cache = await openCache(cacheDir);
    const entry = await cache.lookup(first.stages.mfcc_emodb!.key!);
    if (entry.status !== 'hit') throw new Error('mfcc_emodb not in the cache');
    const store = await openFeatureStore(join(entry.path, 'features'));
    expect(store.rows).toHaveLength(10);
    expect(store.rows.filter((r) => r.split === 'test').map((r) => r.speaker)).toEqual(['15']);
    store.close();
    const second = await runGraph(graph, { cache: cacheDir, threads: 2, jobs: 2 });
    expect(second.counts).toMatchObject({ cached: 6, succeeded: 0 });
  });
});
