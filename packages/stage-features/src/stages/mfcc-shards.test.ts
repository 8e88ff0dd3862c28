import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExecutor, loadSpec, openCache, runGraph, SerxError } from '@serx/core';
import { shardRanges } from '@serx/core/shards';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CORPORA = process.env.SERX_CORPORA ?? '/work/shared/corpora';

/** ingest → split → mfcc of 10 EmoDB files, per-utterance and per-speaker normalisation; `extra` is YAML added to both mfcc stages. */
function spec(extra: string): string {
  return `name: mfcc-shards
plugins: ["@serx/stage-features"]
stages:
  ingest: { uses: features:ingest, params: { corpus: emodb, root: "${CORPORA}/emodb", perSpeaker: 1 } }
  split: { uses: features:split, inputs: { utterances: ingest.utterances } }
  mfcc: { uses: features:mfcc, inputs: { utterances: split.utterances }${extra} }
  mfcc_speaker: { uses: features:mfcc, params: { normalise: speaker }, inputs: { utterances: split.utterances }${extra} }
`;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'serx-mfcc-shards-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(name: string, extra: string, kind: 'in-process' | 'process' = 'in-process') {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, spec(extra));
  const graph = await loadSpec(file);
  const cacheDir = join(dir, `cache-${name}`);
  const executor = await createExecutor({ settings: { kind, from: 'test' } });
  const summary = await runGraph(graph, { cache: cacheDir, threads: 2, jobs: 1, executor });
  await executor.close?.();
  expect(summary.errors.map((e) => e.message)).toEqual([]);
  const cache = await openCache(cacheDir);
  const entries = {} as { [id: string]: { key: string; path: string; hashes: { [o: string]: string } } };
  for (const id of ['mfcc', 'mfcc_speaker']) {
    const key = summary.stages[id]?.key as string;
    const found = await cache.lookup(key);
    if (found.status !== 'hit') throw new Error(`${id} not published`);
    entries[id] = {
      key,
      path: found.path,
      hashes: Object.fromEntries(Object.entries(found.manifest.outputs).map(([o, v]) => [o, v.hash])),
    };
  }
  return { entries, cacheDir, summary };
}

describe('features:mfcc in shards', { timeout: 240_000 }, () => {
  it('gives the unsharded key, output hashes and bytes: 3 uneven shards, shardSize, more shards than rows, child processes', async () => {
    const plain = await run('plain', '');
    const variants = [
      await run('three', ', shards: 3'),
      await run('size4', ', shardSize: 4'),
      await run('many', ', shards: 50'),
      await run('process', ', shards: 2', 'process'),
    ];
    for (const variant of variants) {
      for (const id of ['mfcc', 'mfcc_speaker']) {
        const a = plain.entries[id]!;
        const b = variant.entries[id]!;
        expect(b.key).toBe(a.key);
        expect(b.hashes).toEqual(a.hashes);
        for (const output of ['features', 'statistics']) {
          const files = (await readdir(join(a.path, output))).sort();
          expect((await readdir(join(b.path, output))).sort()).toEqual(files);
          // cmp exits non-zero (and execFileSync throws) on the first differing byte
          for (const f of files) execFileSync('cmp', [join(a.path, output, f), join(b.path, output, f)]);
        }
      }
      // the shards lived in the key's work dir, which is gone once the entry is published
      expect(await readdir(join(variant.cacheDir, 'work')).catch(() => [])).toEqual([]);
    }
    expect(shardRanges(10, { count: 3 }).map((r) => r.end - r.start)).toEqual([4, 3, 3]);
    expect(shardRanges(10, { size: 4 }).map((r) => r.end - r.start)).toEqual([4, 4, 2]);
    expect(shardRanges(10, { count: 50 })).toHaveLength(10);
  });

  it('refuses shards on a stage without a shard contract, naming the file and line', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      `${spec('')}  split_sharded: { uses: features:split, shards: 2, inputs: { utterances: ingest.utterances } }\n`,
    );
    const error = await loadSpec(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerxError);
    const text = (error as SerxError).format();
    expect(text).toContain('SPEC_INVALID');
    expect(text).toContain('features:split, which cannot be sharded');
    expect(text).toMatch(/bad\.yaml:8:\d+ stages\.split_sharded\.shards/);
  });

  it('refuses both shards and shardSize, and a shard count that is not a positive integer', async () => {
    for (const [extra, message] of [
      [', shards: 2, shardSize: 3', 'not both'],
      [', shards: 0', 'must be a positive integer'],
      [', shardSize: many', 'must be a positive integer'],
    ] as const) {
      const file = join(dir, 'bad2.yaml');
      await writeFile(file, spec(extra));
      const error = (await loadSpec(file).catch((e: unknown) => e)) as SerxError;
      expect(error.format()).toContain(message);
      expect(error.format()).toContain('SPEC_INVALID');
    }
  });

  it('a failed shard is a coded error naming the shard and the stage; the finished shards are kept and not recomputed', async () => {
    // six real EmoDB files, the last one cut to its first bytes (probe: false lets it reach the MFCC)
    const root = join(dir, 'broken-emodb');
    await mkdir(join(root, 'wav'), { recursive: true });
    const names = (await readdir(join(CORPORA, 'emodb', 'wav'))).sort().slice(0, 6);
    for (const name of names) await copyFile(join(CORPORA, 'emodb', 'wav', name), join(root, 'wav', name));
    await writeFile(join(root, 'wav', names[5] as string), 'fLaC broken');
    const file = join(dir, 'broken.yaml');
    await writeFile(
      file,
      `name: broken
plugins: ["@serx/stage-features"]
stages:
  ingest: { uses: features:ingest, params: { corpus: emodb, root: "${root}", probe: false } }
  mfcc: { uses: features:mfcc, shards: 3, inputs: { utterances: ingest.utterances } }
`,
    );
    const cacheDir = join(dir, 'cache-broken');
    const attempt = async () => {
      const logs: string[] = [];
      const summary = await runGraph(await loadSpec(file), {
        cache: cacheDir,
        threads: 1,
        executor: await createExecutor({ settings: { kind: 'in-process', from: 'test' } }),
        onEvent: (event) => {
          if (event.type === 'log' && event.id === 'mfcc') logs.push(event.message);
        },
      });
      return { summary, logs };
    };
    const first = await attempt();
    expect(first.summary.stages.mfcc?.status).toBe('failed');
    const error = first.summary.errors[0] as SerxError;
    const text = error.format();
    expect(text).toContain("stage 'mfcc' (features:mfcc), shard 3/3 (rows 5–6) failed");
    expect(text).toContain('2 finished shards kept for the next run');
    expect(text).toContain(names[5]);
    const key = first.summary.stages.mfcc?.key as string;
    expect(
      (await readdir(join(cacheDir, 'work', key, 'shards'))).filter((n) => !n.endsWith('.work')).sort(),
    ).toEqual(['rows-0-2', 'rows-2-4']);
    const second = await attempt();
    expect(second.summary.stages.mfcc?.status).toBe('failed');
    expect(second.logs).toContain('3 shards of 6 rows: 2 finished already');
    expect(second.logs.filter((m) => /shard [12]\/3 .* done in/.test(m))).toEqual([]);
  });
});
