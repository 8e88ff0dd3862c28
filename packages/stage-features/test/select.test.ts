import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Artifact } from '@serx/core';
import { describe, expect, it } from 'vitest';
import { select } from '../src/stages/index.ts';
import { FeatureStoreWriter, openFeatureStore } from '../src/store/index.ts';
import { asArtifact, testContext } from './context.ts';

/** A small store: rows (id, split) with frames filled with a value derived from the row number. */
async function store(corpus: string, rows: [string, string | null][], meta: Record<string, unknown> = {}) {
  const dir = join(await mkdtemp(join(tmpdir(), 'serx-select-')), corpus);
  const writer = await FeatureStoreWriter.create(dir, {
    dims: 2,
    sampleRate: 16000,
    meta: { corpus, normalise: true, ...meta },
  });
  for (const [i, [id, split]] of rows.entries())
    await writer.append(
      { id, corpus, speaker: 's', label: null, class: null, split },
      Float32Array.from([i, i + 0.5, i, i + 0.5]),
    );
  await writer.close();
  return asArtifact(dir, 'features', [corpus]);
}

async function run(inputs: Artifact[], params: Record<string, unknown> = {}) {
  const t = await testContext(select, params, { features: inputs });
  const result = await select.run(t.ctx);
  return { store: await openFeatureStore(t.ctx.outputs.features!), result };
}

describe('features:select', () => {
  it('keeps the rows of the chosen partitions, store by store, data unchanged', async () => {
    const a = await store(
      'a',
      [
        ['a1', 'train'],
        ['a2', 'test'],
        ['a3', 'train'],
      ],
      { normalisation: { mode: 'corpus', frames: 10 } },
    );
    const b = await store(
      'b',
      [
        ['b1', 'validation'],
        ['b2', 'train'],
      ],
      { normalisation: { mode: 'corpus', frames: 99 } },
    );
    const { store: out, result } = await run([a, b]);
    expect(out.rows.map((r) => [r.id, r.split])).toEqual([
      ['a1', 'train'],
      ['a3', 'train'],
      ['b2', 'train'],
    ]);
    expect(Array.from(out.read(out.rows[1]!))).toEqual([2, 2.5, 2, 2.5]);
    expect(out.meta).toMatchObject({
      corpus: 'a+b',
      corpora: ['a', 'b'],
      splits: ['train'],
      normalise: true,
      count: 3,
    });
    expect(result?.meta?.features).toMatchObject({ count: 3, perCorpus: { a: 2, b: 1 } });
    const both = await run([a, b], { splits: ['validation', 'test'] });
    expect(both.store.rows.map((r) => r.id)).toEqual(['a2', 'b1']);
  });

  it('refuses stores computed differently (here: another normalisation mode)', async () => {
    const a = await store('a', [['a1', 'train']]);
    const b = await store('b', [['b1', 'train']], { normalise: false });
    await expect(run([a, b])).rejects.toMatchObject({
      code: 'INPUT_DATA',
      message: expect.stringContaining('features computed differently'),
    });
  });
});
