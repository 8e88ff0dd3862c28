import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FeatureStoreWriter, openFeatureStore, shardFileName } from '../src/store/index.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'serx-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base = { corpus: 'emodb', speaker: '03', label: 'anger', class: 'negative', split: 'train' };
const ramp = (frames: number, dims: number, start: number) =>
  Float32Array.from({ length: frames * dims }, (_, i) => start + i * 0.5);

describe('feature store', () => {
  it('round-trips rows and values, rolling shards at the size limit', async () => {
    // 3 dims × 10 frames × 4 bytes = 120 bytes per row; 300-byte shards hold two rows each.
    const writer = await FeatureStoreWriter.create(dir, {
      dims: 3,
      sampleRate: 16000,
      shardBytes: 300,
      meta: { numCeps: 3 },
    });
    for (let i = 0; i < 5; i++)
      await writer.append({ ...base, id: `u${i}`, split: i < 3 ? 'train' : 'test' }, ramp(10, 3, i * 100));
    const meta = await writer.close();
    expect(meta).toMatchObject({
      format: 'serx-features/1',
      dims: 3,
      dtype: 'float32',
      count: 5,
      frames: 50,
      shards: 3,
      numCeps: 3,
      sampleRate: 16000,
    });
    expect((await readdir(dir)).sort()).toEqual([
      'index.jsonl',
      'meta.json',
      'shard-00000.f32',
      'shard-00001.f32',
      'shard-00002.f32',
    ]);

    const store = await openFeatureStore(dir);
    expect(store.rows.map((r) => [r.id, r.shard, r.offset, r.frames])).toEqual([
      ['u0', 0, 0, 10],
      ['u1', 0, 30, 10],
      ['u2', 1, 0, 10],
      ['u3', 1, 30, 10],
      ['u4', 2, 0, 10],
    ]);
    const u3 = store.read(store.rows[3]!);
    expect(u3.length).toBe(30);
    expect(u3[0]).toBe(300);
    expect(u3[29]).toBe(314.5);
    expect([...store.iterate({ split: 'test' })].map(({ row }) => row.id)).toEqual(['u3', 'u4']);
    expect(store.select({ split: ['train', 'test'], id: 'u1' }).map((r) => r.id)).toEqual(['u1']);
    expect(store.select((r) => r.offset === 0).length).toBe(3);
    store.close();
  });

  it('keeps extra row fields (predictions) and writes little-endian float32', async () => {
    const writer = await FeatureStoreWriter.create(dir, { dims: 2 });
    await writer.append({ ...base, id: 'p', probs: [0.1, 0.9], pred: 'negative' }, Float32Array.of(1, -2.5));
    await writer.close();
    const bytes = await readFile(join(dir, shardFileName(0)));
    expect([...bytes]).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0x20, 0xc0]);
    const store = await openFeatureStore(dir);
    expect(store.rows[0]).toMatchObject({ probs: [0.1, 0.9], pred: 'negative', frames: 1 });
  });

  it('rejects data that is not whole frames', async () => {
    const writer = await FeatureStoreWriter.create(dir, { dims: 4 });
    await expect(writer.append({ ...base, id: 'bad' }, new Float32Array(6))).rejects.toMatchObject({
      code: 'INPUT_DATA',
    });
    await writer.close();
  });

  it('names the file for a missing meta, a malformed index line and a truncated shard', async () => {
    await expect(openFeatureStore(dir)).rejects.toMatchObject({
      code: 'INPUT_DATA',
      message: expect.stringContaining('meta.json'),
    });

    const writer = await FeatureStoreWriter.create(dir, { dims: 2 });
    await writer.append({ ...base, id: 'a' }, ramp(4, 2, 0));
    await writer.append({ ...base, id: 'b' }, ramp(4, 2, 0));
    await writer.close();
    await truncate(join(dir, shardFileName(0)), 40);
    const store = await openFeatureStore(dir);
    expect(() => store.read(store.rows[1]!)).toThrow(/shard-00000\.f32: row 'b' extends past the end/);
    store.close();

    const index = join(dir, 'index.jsonl');
    await writeFile(index, `${(await readFile(index, 'utf8')).split('\n')[0]}\n{oops\n`);
    await expect(openFeatureStore(dir)).rejects.toMatchObject({
      code: 'INPUT_DATA',
      message: expect.stringMatching(/index\.jsonl:2: malformed/),
    });
  });
});
