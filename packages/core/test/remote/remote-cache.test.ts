// The remote cache against a real S3-compatible server (SeaweedFS, scripts/s3-local.sh): push,
// pull, integrity, concurrent and interrupted pushes, corrupt objects.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Cache, openCache } from '../../src/cache/cache.ts';
import type { CacheKeyInput } from '../../src/cache/key.ts';
import type { EntryManifest } from '../../src/cache/manifest.ts';
import { pullEntry } from '../../src/cache/remote/pull.ts';
import { pullThrough } from '../../src/cache/remote/pull-through.ts';
import { pushEntry } from '../../src/cache/remote/push.ts';
import { entryObject, fileObject } from '../../src/cache/remote/remote-layout.ts';
import type { RemoteStore } from '../../src/cache/remote/remote-store.ts';
import { runGraph } from '../../src/run/run-graph.ts';
import { diamond } from '../fixtures/run-plugin/graph.ts';
import { executions, tempDir } from '../run/helpers.ts';
import { freshPrefix, remoteEnv, removeTestObjects, s3Up, storeAt } from './s3-server.ts';

const bin = join(import.meta.dirname, '../../bin/serx.mjs');
const up = await s3Up();
if (up) afterAll(removeTestObjects, 60_000);

const keyOf = (seed: string) => (seed.repeat(64).slice(0, 64) as string).replace(/[^0-9a-f]/g, 'a');

/** Publishes an entry with the given files (one output, `data`) through the cache's own API. */
async function makeEntry(
  cache: Cache,
  key: string,
  files: { [path: string]: Buffer },
): Promise<EntryManifest> {
  const staging = await cache.stage(key, ['data']);
  for (const [path, bytes] of Object.entries(files)) {
    const file = join(staging.outputs.data as string, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, bytes);
  }
  const keyInput = {
    stage: 'test:blob',
    plugin: { name: 't', version: '1' },
    version: '1',
    params: {},
    seed: 0,
    inputs: {},
  };
  const now = new Date().toISOString();
  return cache.publish(staging, {
    keyInput: keyInput as CacheKeyInput,
    producer: 'blob',
    outputs: { data: { type: 'blob', meta: {}, corpora: [] } },
    metrics: {},
    timing: { startedAt: now, finishedAt: now, durationMs: 0 },
    runId: undefined,
  });
}

async function contents(cache: Cache, key: string): Promise<{ [path: string]: string }> {
  const found = await cache.lookup(key, { verify: true });
  if (found.status !== 'hit') throw new Error(`${key} is ${found.status}`);
  const out: { [path: string]: string } = {};
  for (const file of found.manifest.outputs.data?.files ?? [])
    out[file.path] = (await readFile(join(found.path, 'data', file.path))).toString('hex');
  return out;
}

async function objects(store: RemoteStore, under: string): Promise<string[]> {
  const names: string[] = [];
  for await (const o of store.client.list(`${store.prefix}${under}`)) names.push(o.key);
  return names;
}

describe.skipIf(!up)('the remote cache on a real S3 server (SeaweedFS)', { timeout: 60_000 }, () => {
  it('client: PUT, GET, HEAD, paged LIST, DELETE, and a create-only PUT that keeps the first', async () => {
    const store = storeAt(freshPrefix('client'));
    const { client, prefix } = store;
    const names = Array.from({ length: 5 }, (_, i) => `${prefix}k/${i} a+b&c.txt`);
    await Promise.all(names.map((n, i) => client.put(n, Buffer.from(`v${i}`))));
    expect((await client.get(names[2] as string))?.toString()).toBe('v2');
    expect(await client.head(names[1] as string)).toMatchObject({ size: 2 });
    expect(await client.head(`${prefix}nothing`)).toBeUndefined();
    expect(await client.get(`${prefix}nothing`)).toBeUndefined();
    // pages of 2: the continuation token is followed
    const listed: string[] = [];
    for await (const o of client.list(`${prefix}k/`, 2)) listed.push(o.key);
    expect(listed).toEqual([...names].sort());
    expect(await client.put(names[0] as string, Buffer.from('second'), { ifAbsent: true })).toBe('exists');
    expect((await client.get(names[0] as string))?.toString()).toBe('v0');
    await client.delete(names[0] as string);
    await client.delete(names[0] as string);
    expect(await client.head(names[0] as string)).toBeUndefined();
  });

  it('pushes an entry and pulls it into an empty cache on another path: same manifest, same bytes', async () => {
    const dir = await tempDir('serx-remote-');
    const store = storeAt(freshPrefix('roundtrip'));
    const a = await openCache(join(dir, 'a'));
    const key = keyOf('1f');
    const big = randomBytes(3 * 1024 * 1024 + 7); // streamed both ways
    await makeEntry(a, key, {
      'x.bin': big,
      'sub/y.txt': Buffer.from('y'),
      empty: Buffer.alloc(0),
      'dup.bin': big,
    });
    const pushed = await pushEntry(a, store, key);
    expect(pushed).toMatchObject({ status: 'pushed', files: 3, uploaded: 3, bytes: big.length + 1 });
    expect(await pushEntry(a, store, key)).toMatchObject({ status: 'present', uploaded: 0 });
    expect(await store.keys()).toEqual([key]);

    const b = await openCache(join(dir, 'elsewhere', 'b'));
    expect(await pullEntry(b, store, key)).toMatchObject({ status: 'pulled', files: 4 });
    expect(await contents(b, key)).toEqual(await contents(a, key));
    expect(await readFile(join(b.entryPath(key), 'manifest.json'), 'utf8')).toBe(
      await readFile(join(a.entryPath(key), 'manifest.json'), 'utf8'),
    );
    expect(await pullEntry(b, store, key)).toEqual({ key, status: 'present' });
    expect(await pullEntry(b, store, keyOf('2e'))).toEqual({ key: keyOf('2e'), status: 'absent' });
    expect(await readdir(b.path('tmp'))).toEqual([]);
  });

  it('a run against an empty cache that pulls through is a full hit: no stage executes', async () => {
    const dir = await tempDir('serx-remote-');
    const store = storeAt(freshPrefix('run'));
    const markers = join(dir, 'm');
    const a = await openCache(join(dir, 'a'));
    const first = await runGraph(diamond('remote-run', markers), { cache: a });
    expect(first.counts.succeeded).toBe(4);
    for (const stage of Object.values(first.stages)) await pushEntry(a, store, stage.key as string);

    const b = await openCache(join(dir, 'b'));
    const stats = pullThrough(b, store, (m) => {
      throw new Error(m);
    });
    const second = await runGraph(diamond('remote-run', markers), { cache: b });
    expect(second.counts).toMatchObject({ cached: 4, succeeded: 0 });
    expect(stats.pulled).toBe(4);
    expect(await executions(markers)).toEqual({ a: 1, b: 1, ab: 1, total: 1 });
    for (const [id, stage] of Object.entries(second.stages))
      expect(stage.outputs, id).toEqual(first.stages[id]?.outputs);
  });

  it('concurrent pushes of one key with different contents: one complete entry wins, a pull verifies', async () => {
    const dir = await tempDir('serx-remote-');
    const store = storeAt(freshPrefix('race'));
    const key = keyOf('3d');
    const caches = await Promise.all(['a', 'b', 'c'].map((n) => openCache(join(dir, n))));
    // a nondeterministic stage: the same key, other bytes in each cache
    await Promise.all(
      caches.map((c, i) =>
        makeEntry(
          c,
          key,
          Object.fromEntries(Array.from({ length: 6 }, (_, f) => [`f${f}`, randomBytes(200_000 + i)])),
        ),
      ),
    );
    const results = await Promise.all(
      caches.flatMap((c) => [pushEntry(c, store, key), pushEntry(c, store, key)]),
    );
    expect(results.some((r) => r.status === 'pushed')).toBe(true);
    const target = await openCache(join(dir, 'target'));
    expect((await pullEntry(target, store, key)).status).toBe('pulled');
    const pulled = await contents(target, key);
    const candidates = await Promise.all(caches.map((c) => contents(c, key)));
    expect(candidates).toContainEqual(pulled);
  });

  it('an interrupted push commits nothing; pushing again uploads only what is missing', async () => {
    const dir = await tempDir('serx-remote-');
    const prefix = freshPrefix('killed');
    const store = storeAt(prefix);
    const a = await openCache(join(dir, 'a'));
    const key = keyOf('4c');
    const files = Object.fromEntries(
      Array.from({ length: 16 }, (_, i) => [`part-${i}.bin`, randomBytes(3 << 20)]),
    );
    await makeEntry(a, key, files);
    // `serx push <key>` one file at a time, SIGKILLed once some file objects are on the remote
    const child = spawn(process.execPath, [bin, 'push', key, '--cache', a.dir], {
      env: { ...process.env, ...remoteEnv(prefix), SERX_REMOTE_TRANSFERS: '1' },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    let seen = 0;
    for (let i = 0; i < 600 && seen < 2; i++) {
      seen = (await objects(store, 'files/')).length;
      if (seen < 2) await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await exited;
    expect(seen).toBeGreaterThanOrEqual(2);
    expect(seen).toBeLessThan(16);
    expect(await objects(store, 'entries/')).toEqual([]);
    const b = await openCache(join(dir, 'b'));
    expect(await pullEntry(b, store, key)).toEqual({ key, status: 'absent' });

    const again = await pushEntry(a, store, key);
    expect(again.status).toBe('pushed');
    expect(again.uploaded).toBeLessThanOrEqual(16 - seen + 1); // what was there whole is skipped
    expect(await pullEntry(b, store, key)).toMatchObject({ status: 'pulled', files: 16 });
    expect(await contents(b, key)).toEqual(await contents(a, key));
  });

  it('a local file that changed under a push fails it before its object completes: no object, no entry', async () => {
    const dir = await tempDir('serx-remote-');
    const store = storeAt(freshPrefix('changed'));
    const a = await openCache(join(dir, 'a'));
    const key = keyOf('5b');
    const manifest = await makeEntry(a, key, { 'x.bin': randomBytes(1 << 20) });
    const file = join(a.entryPath(key), 'data', 'x.bin');
    const changed = randomBytes(1 << 20);
    await import('node:fs/promises').then((fs) => fs.chmod(file, 0o644));
    await writeFile(file, changed);
    await expect(pushEntry(a, store, key)).rejects.toMatchObject({ code: 'CACHE_CORRUPT' });
    const sha = manifest.outputs.data?.files[0]?.sha256 as string;
    expect(await store.client.head(fileObject(store.prefix, sha))).toBeUndefined();
    expect(await store.client.head(entryObject(store.prefix, key))).toBeUndefined();
  });

  it('a corrupt remote object is refused on pull, deleted, never published; a push repairs the entry', async () => {
    const dir = await tempDir('serx-remote-');
    const store = storeAt(freshPrefix('corrupt'));
    const a = await openCache(join(dir, 'a'));
    const key = keyOf('6a');
    const manifest = await makeEntry(a, key, { 'x.bin': randomBytes(500_000), 'y.bin': randomBytes(10) });
    await pushEntry(a, store, key);
    const x = manifest.outputs.data?.files.find((f) => f.path === 'x.bin');
    const name = fileObject(store.prefix, x?.sha256 as string);
    // same size, one byte flipped
    const bytes = (await store.client.get(name)) as Buffer;
    bytes[1000] = (bytes[1000] as number) ^ 0xff;
    await store.client.put(name, bytes);

    const b = await openCache(join(dir, 'b'));
    const result = await pullEntry(b, store, key);
    expect(result).toMatchObject({ status: 'corrupt' });
    expect((result as { reason: string }).reason).toMatch(/sha256 [0-9a-f]{64}.*deleted from the remote/);
    expect((await b.lookup(key)).status).toBe('miss');
    expect(await readdir(b.path('tmp'))).toEqual([]);
    expect(await store.client.head(name)).toBeUndefined();

    // a truncated object: refused too
    await pushEntry(a, store, key);
    await store.client.put(name, bytes.subarray(0, 100));
    expect(await pullEntry(b, store, key)).toMatchObject({ status: 'corrupt' });

    expect(await pushEntry(a, store, key)).toMatchObject({ status: 'pushed', uploaded: 1 });
    expect(await pullEntry(b, store, key)).toMatchObject({ status: 'pulled' });
    expect(await contents(b, key)).toEqual(await contents(a, key));
  });

  it('a remote manifest that is not an entry of its key is refused (paths outside, other key, not JSON)', async () => {
    const dir = await tempDir('serx-remote-');
    const store = storeAt(freshPrefix('manifest'));
    const b = await openCache(join(dir, 'b'));
    const key = keyOf('7f');
    const sha = 'a'.repeat(64);
    const bad = [
      ['not json', /is not JSON/],
      [JSON.stringify({ format: 1, key: keyOf('11'), outputs: {} }), /names key/],
      [
        JSON.stringify({
          format: 1,
          key,
          outputs: { data: { files: [{ path: '../../x', size: 1, sha256: sha }] } },
        }),
        /lists a file '\.\.\/\.\.\/x'/,
      ],
      [JSON.stringify({ format: 1, key, outputs: { '../o': { files: [] } } }), /names an output/],
    ] as const;
    for (const [text, reason] of bad) {
      await store.client.put(entryObject(store.prefix, key), Buffer.from(text));
      const result = await pullEntry(b, store, key);
      expect(result.status).toBe('corrupt');
      expect((result as { reason: string }).reason).toMatch(reason);
    }
    expect(await b.listEntries()).toEqual([]);
  });

  it('serx run --pull: a corrupt remote entry counts as a miss (warning) and the stage is computed', async () => {
    const dir = await tempDir('serx-remote-');
    const store = storeAt(freshPrefix('run-corrupt'));
    const markers = join(dir, 'm');
    const a = await openCache(join(dir, 'a'));
    const first = await runGraph(diamond('remote-corrupt', markers), { cache: a });
    for (const stage of Object.values(first.stages)) await pushEntry(a, store, stage.key as string);
    const totalKey = first.stages.total?.key as string;
    const found = await a.lookup(totalKey);
    const file = found.status === 'hit' ? found.manifest.outputs.data?.files[0] : undefined;
    await store.client.put(fileObject(store.prefix, file?.sha256 as string), Buffer.from('garbage'));

    const b = await openCache(join(dir, 'b'));
    const warnings: string[] = [];
    pullThrough(b, store, (m) => warnings.push(m));
    const second = await runGraph(diamond('remote-corrupt', markers), { cache: b });
    expect(second.counts).toMatchObject({ cached: 3, succeeded: 1 });
    expect(second.stages.total?.status).toBe('succeeded');
    expect(warnings.join('\n')).toMatch(/remote entry [0-9a-f]{12} is not usable .*counts as a miss/);
    expect(await executions(markers)).toEqual({ a: 1, b: 1, ab: 1, total: 2 });
  });
});
