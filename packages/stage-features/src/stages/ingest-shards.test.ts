import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExecutor, loadSpec, openCache, runGraph } from '@serx/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CORPORA = process.env.SERX_CORPORA ?? '/work/shared/corpora';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'serx-ingest-shards-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Ingest (probing every file) of 20 EmoDB files (2 per speaker) and 12 LibriSpeech FLAC excerpts. */
async function run(name: string, extra: string, kind: 'in-process' | 'process' = 'in-process') {
  const file = join(dir, `${name}.yaml`);
  await writeFile(
    file,
    `name: ingest-shards
plugins: ["@serx/stage-features"]
stages:
  emodb: { uses: features:ingest, params: { corpus: emodb, root: "${CORPORA}/emodb", perSpeaker: 2 }${extra} }
  libri: { uses: features:ingest, params: { corpus: librispeech, reader: librispeech, root: "${CORPORA}/librispeech", limit: 12 }${extra} }
`,
  );
  const cacheDir = join(dir, `cache-${name}`);
  const executor = await createExecutor({ settings: { kind, from: 'test' } });
  const summary = await runGraph(await loadSpec(file), { cache: cacheDir, threads: 2, executor });
  await executor.close?.();
  expect(summary.errors.map((e) => e.message)).toEqual([]);
  const cache = await openCache(cacheDir);
  const out: { [id: string]: { key: string; path: string; hash: string } } = {};
  for (const id of ['emodb', 'libri']) {
    const key = summary.stages[id]?.key as string;
    const found = await cache.lookup(key);
    if (found.status !== 'hit') throw new Error(`${id} not published`);
    out[id] = {
      key,
      path: join(found.path, 'utterances'),
      hash: found.manifest.outputs.utterances?.hash as string,
    };
  }
  return out;
}

describe('features:ingest in shards', { timeout: 240_000 }, () => {
  it('gives the unsharded key, output hash and bytes: 3 uneven shards, shardSize, more shards than rows, child processes', async () => {
    const plain = await run('plain', '');
    for (const [name, extra, kind] of [
      ['three', ', shards: 3', 'in-process'],
      ['size5', ', shardSize: 5', 'in-process'],
      ['many', ', shards: 40', 'in-process'],
      ['process', ', shards: 2', 'process'],
    ] as const) {
      const sharded = await run(name, extra, kind);
      for (const id of ['emodb', 'libri']) {
        const a = plain[id]!;
        const b = sharded[id]!;
        expect(b.key).toBe(a.key);
        expect(b.hash).toBe(a.hash);
        const files = (await readdir(a.path)).sort();
        expect((await readdir(b.path)).sort()).toEqual(files);
        for (const f of files) execFileSync('cmp', [join(a.path, f), join(b.path, f)]);
      }
    }
  });
});
