import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CACHE_MARKER, inside } from '../../src/cache/cache.ts';
import { acquireLock, UNREADABLE_LOCK_GRACE_MS } from '../../src/cache/lock.ts';
import { checkEntry, type EntryManifest } from '../../src/cache/manifest.ts';
import { openCache, runGraph } from '../../src/index.ts';
import { makeGraph } from '../fixtures/run-plugin/graph.ts';
import { tempDir } from './helpers.ts';

/** `node --import` this to run a TypeScript script through core's loader (src/loader/import.mjs). */
const TYPESCRIPT = createRequire(import.meta.url).resolve('@serx/core/typescript/import');

describe('the cache marker', () => {
  it('is written when a cache is created, with a format version', async () => {
    const dir = await tempDir();
    const cache = await openCache(join(dir, 'c'));
    expect(JSON.parse(await readFile(cache.path(CACHE_MARKER), 'utf8'))).toMatchObject({
      serx: 'cache',
      format: 1,
    });
    expect((await readdir(cache.dir)).sort()).toEqual(
      [CACHE_MARKER, 'entries', 'locks', 'pins', 'runs', 'tmp', 'work'].sort(),
    );
  });

  it('is added to a cache made before it existed (recognised by its layout), whose entries stay hits', async () => {
    const dir = await tempDir();
    const markers = join(dir, 'm');
    const cache = await openCache(join(dir, 'c'));
    const graph = makeGraph('g', { a: { uses: 'test:source', params: { value: 1, markers } } });
    const first = await runGraph(graph, { cache });
    await rm(cache.path(CACHE_MARKER)); // now it looks like a cache of an older serx
    const reopened = await openCache(cache.dir);
    expect(JSON.parse(await readFile(reopened.path(CACHE_MARKER), 'utf8')).format).toBe(1);
    const again = await runGraph(graph, { cache: reopened });
    expect(again.stages.a?.status).toBe('cached');
    expect(again.stages.a?.key).toBe(first.stages.a?.key);
  });

  it('refuses a folder that is not a cache (even one with tmp/ and work/), a foreign marker and a newer format', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'mine', 'tmp'), { recursive: true });
    await mkdir(join(dir, 'mine', 'work'));
    await expect(openCache(join(dir, 'mine'))).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringContaining(`is not a serx cache (it has no ${CACHE_MARKER} and holds tmp, work)`),
    });
    expect((await readdir(join(dir, 'mine'))).sort()).toEqual(['tmp', 'work']);

    await mkdir(join(dir, 'foreign'));
    await writeFile(join(dir, 'foreign', CACHE_MARKER), '{"hello": 1}');
    await expect(openCache(join(dir, 'foreign'))).rejects.toMatchObject({ code: 'USAGE' });

    const newer = await openCache(join(dir, 'newer'));
    await writeFile(newer.path(CACHE_MARKER), '{"serx": "cache", "format": 2}');
    await expect(openCache(newer.dir)).rejects.toMatchObject({
      code: 'ENVIRONMENT',
      message: expect.stringContaining('is a serx cache of format 2; this serx reads format 1'),
    });
  });

  it('is created by several processes at once without any of them calling it foreign', async () => {
    // two `serx run`s on a new cache: one finds no marker, then the other's marker when it lists
    // the folder; it must read that marker, not refuse the folder (it did, 1 run in ~20 under load)
    const dir = await tempDir();
    const barrier = join(dir, 'go');
    const child = join(import.meta.dirname, '../fixtures/run-plugin/open-cache-child.ts');
    let ready = 0;
    const outputs = await Promise.all(
      Array.from({ length: 4 }, () => {
        const proc = spawn(process.execPath, ['--import', TYPESCRIPT, child, dir, '150', barrier]);
        let out = '';
        proc.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.startsWith('ready\n') && out.length === 6 && ++ready === 4) void writeFile(barrier, '');
        });
        proc.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
        return new Promise<string>((done) => proc.on('close', () => done(out.replace(/^ready\n/, ''))));
      }),
    );
    expect(outputs.join('')).toBe('');
    expect((await readdir(dir)).filter((n) => n.startsWith('c'))).toHaveLength(150);
  }, 60_000);

  it('starts a cache in an empty folder', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'empty'));
    const cache = await openCache(join(dir, 'empty'));
    expect(await readdir(cache.dir)).toContain(CACHE_MARKER);
  });
});

describe('paths from plugin and disk data stay inside their root', () => {
  it('inside() refuses names that climb out or are absolute', () => {
    expect(inside('/c/tmp/s', 'out', 'x')).toBe('/c/tmp/s/out');
    expect(inside('/c/tmp/s', '..out', 'x')).toBe('/c/tmp/s/..out');
    for (const name of ['../x', '../../case/EVIL', '/etc/passwd', '.', 'a/../../b'])
      expect(() => inside('/c/tmp/s', name, `output '${name}'`)).toThrow(/would be written outside/);
  });

  it('a manifest that lists a file outside its entry is corrupt, never followed', async () => {
    const manifest = {
      format: 1,
      outputs: { out: { files: [{ path: '../../../../etc/passwd', size: 1, sha256: '' }] } },
    } as unknown as EntryManifest;
    expect(await checkEntry('/nowhere/entry', manifest, false)).toBe(
      'manifest lists a file outside the entry (out/../../../../etc/passwd)',
    );
    const output = { format: 1, outputs: { '../x': { files: [] } } } as unknown as EntryManifest;
    expect(await checkEntry('/nowhere/entry', output, false)).toBe(
      'manifest names an output outside the entry (../x)',
    );
  });
});

describe('a lock file that is not a serx lock', () => {
  it('is waited for during the grace period, then removed once, reported once', async () => {
    const dir = await tempDir();
    const path = join(dir, 'k.lock');
    await writeFile(path, 'd\n');
    const old = new Date(Date.now() - UNREADABLE_LOCK_GRACE_MS + 300);
    await utimes(path, old, old);
    const reports: string[] = [];
    let waited = 0;
    const started = Date.now();
    const release = await acquireLock(path, {
      onWait: (owner) => {
        waited++;
        expect(owner).toBeUndefined();
      },
      onUnreadableStale: (what) => reports.push(what),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(waited).toBe(1);
    expect(reports).toEqual(["'d\\n'"]);
    expect(JSON.parse(await readFile(path, 'utf8')).pid).toBe(process.pid);
    await release();
    expect(await readdir(dir)).toEqual([]);
  });
});
