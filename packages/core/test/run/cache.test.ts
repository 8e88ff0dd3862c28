import { spawnSync } from 'node:child_process';
import { appendFile, chmod, mkdir, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/cache/lock.ts';
import { gc, openCache, type RunEvent, runGraph } from '../../src/index.ts';
import { diamond, makeGraph } from '../fixtures/run-plugin/graph.ts';
import { executions, tempDir } from './helpers.ts';

const warnings = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));

describe('cache entries', () => {
  it('lays an entry out as entries/<key[:2]>/<key>/{<output>/, manifest.json}', async () => {
    const dir = await tempDir();
    const cache = await openCache(join(dir, 'c'));
    const summary = await runGraph(diamond('l', join(dir, 'm')), { cache });
    const key = summary.stages.ab?.key as string;
    expect(cache.entryPath(key)).toBe(join(dir, 'c', 'entries', key.slice(0, 2), key));
    expect((await readdir(cache.entryPath(key))).sort()).toEqual(['data', 'log', 'manifest.json']);
    const manifest = JSON.parse(await readFile(join(cache.entryPath(key), 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      format: 1,
      key,
      stage: 'test:sum',
      producer: 'ab',
      metrics: { total: 13 },
      outputs: {
        data: { type: 'numbers', meta: { value: 13 }, files: [{ path: 'value.json', size: 12 }] },
        log: { type: 'text', meta: {}, files: [{ path: 'sub/threads.txt' }] },
      },
    });
    expect(manifest.outputs.data.hash).toBe(summary.stages.ab?.outputs?.data);
    expect(manifest.timing.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('detects a truncated file (sizes) and a changed byte (--verify); warns, removes, recomputes', async () => {
    const dir = await tempDir();
    const markers = join(dir, 'm');
    const cache = await openCache(join(dir, 'c'));
    const first = await runGraph(diamond('v', markers), { cache });
    const a = cache.entryPath(first.stages.a?.key as string);
    expect((await stat(join(a, 'data', 'value.json'))).mode & 0o777).toBe(0o444); // published files are read-only
    await chmod(join(a, 'data', 'value.json'), 0o644);
    await truncate(join(a, 'data', 'value.json'), 3);
    const events: RunEvent[] = [];
    await runGraph(diamond('v', markers), { cache, onEvent: (e) => events.push(e) });
    expect(warnings(events)).toEqual([
      `cache entry ${first.stages.a?.key?.slice(0, 12)} of 'a' is corrupt (file data/value.json has 3 bytes, manifest says 11); removed, recomputing`,
    ]);
    expect(await executions(markers)).toMatchObject({ a: 2, b: 1, ab: 1 });

    const b = join(cache.entryPath(first.stages.b?.key as string), 'data', 'value.json');
    await chmod(b, 0o644);
    await writeFile(b, (await readFile(b, 'utf8')).replace('2', '3'));
    const quiet: RunEvent[] = [];
    await runGraph(diamond('v', markers), { cache, onEvent: (e) => quiet.push(e) });
    expect(warnings(quiet)).toEqual([]); // same size: only --verify can tell
    const loud: RunEvent[] = [];
    await runGraph(diamond('v', markers), { cache, verify: true, onEvent: (e) => loud.push(e) });
    expect(warnings(loud)).toEqual([
      `cache entry ${first.stages.b?.key?.slice(0, 12)} of 'b' is corrupt (file data/value.json has a wrong sha256); removed, recomputing`,
    ]);
    await appendFile(join(cache.entryPath(first.stages.a?.key as string), 'data', 'extra.txt'), 'x');
    const extra = await cache.lookup(first.stages.a?.key as string, { verify: true });
    expect(extra).toEqual({ status: 'corrupt', reason: 'output data has files the manifest does not list' });
  });

  it('refuses a cache dir it cannot create with ENVIRONMENT', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), '');
    await expect(openCache(join(dir, 'file', 'cache'))).rejects.toMatchObject({
      code: 'ENVIRONMENT',
      message: expect.stringMatching(
        /^cannot use .*\/file\/cache as the cache directory \(ENOTDIR.*\); pass --cache <dir> or set SERX_CACHE$/,
      ),
    });
  });

  it('treats an entry without manifest as corrupt', async () => {
    const dir = await tempDir();
    const cache = await openCache(join(dir, 'c'));
    const key = 'ab'.repeat(32);
    await mkdir(join(cache.entryPath(key), 'data'), { recursive: true });
    expect(await cache.lookup(key)).toEqual({ status: 'corrupt', reason: 'manifest.json is missing' });
    expect(await cache.listEntries()).toEqual([]);
  });
});

describe('locks', () => {
  it('waits for a live holder and recovers a lock left by a dead process', async () => {
    const dir = await tempDir();
    const path = join(dir, 'k.lock');
    const release = await acquireLock(path);
    let waited = false;
    const second = acquireLock(path, { onWait: () => (waited = true) });
    await new Promise((r) => setTimeout(r, 60));
    expect(waited).toBe(true);
    await release();
    await (await second)();
    expect(await readdir(dir)).toEqual([]);

    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(dead.stdout.toString());
    await writeFile(
      path,
      JSON.stringify({ pid: deadPid, hostname: hostname(), startTime: '1', acquiredAt: '', token: 'old' }),
    );
    const stale: number[] = [];
    const recovered = await acquireLock(path, { onStale: (o) => stale.push(o.pid) });
    expect(stale).toEqual([deadPid]);
    expect(JSON.parse(await readFile(path, 'utf8')).pid).toBe(process.pid);
    await recovered();
  });

  it('gives up waiting when aborted', async () => {
    const dir = await tempDir();
    const release = await acquireLock(join(dir, 'k.lock'));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 30);
    await expect(acquireLock(join(dir, 'k.lock'), { signal: controller.signal })).rejects.toThrow('stop');
    await release();
  });
});

describe('gc and pins', () => {
  it('keeps entries of the last runs per spec and pinned ones, removes the rest', async () => {
    const dir = await tempDir();
    const markers = join(dir, 'm');
    const cache = await openCache(join(dir, 'c'));
    const old = await runGraph(
      makeGraph('g', { a: { uses: 'test:source', params: { value: 1, markers } } }),
      { cache },
    );
    const pinned = await runGraph(
      makeGraph('g', { a: { uses: 'test:source', params: { value: 2, markers }, pin: true } }),
      { cache },
    );
    const latest = await runGraph(
      makeGraph('g', { a: { uses: 'test:source', params: { value: 3, markers } } }),
      { cache },
    );
    const other = await runGraph(
      makeGraph('other', { x: { uses: 'test:source', params: { value: 9, markers } } }),
      { cache },
    );
    expect((await cache.listEntries()).length).toBe(4);
    expect(await cache.pins()).toEqual(new Set([pinned.stages.a?.key]));

    const dry = await gc(cache, { keepRuns: 1, dryRun: true });
    expect(dry.removedEntries).toEqual([old.stages.a?.key]);
    expect((await cache.listEntries()).length).toBe(4);

    const report = await gc(cache, { keepRuns: 1 });
    expect(report.removedEntries).toEqual([old.stages.a?.key]);
    expect(report.freedBytes).toBe(11);
    expect(report.removedRecords.length).toBe(2);
    expect(report.pinnedEntries).toBe(1);
    expect((await cache.listEntries()).sort()).toEqual(
      [pinned.stages.a?.key, latest.stages.a?.key, other.stages.x?.key].sort(),
    );

    await cache.unpin(pinned.stages.a?.key as string);
    expect((await gc(cache, { keepRuns: 1 })).removedEntries).toEqual([pinned.stages.a?.key]);
  });

  it('removes staging dirs of dead processes and files in tmp/ the cache did not make', async () => {
    const dir = await tempDir();
    const cache = await openCache(join(dir, 'c'));
    await mkdir(cache.path('tmp', `${'cd'.repeat(32)}.999999999.abcd`), { recursive: true });
    await mkdir(cache.path('tmp', `${'cd'.repeat(32)}.${process.pid}.abcd`), { recursive: true });
    await writeFile(cache.path('runs', '20261124T000000000Z-abcdef.json.999999999.tmp'), '{');
    await writeFile(cache.path('tmp', 'stray.txt'), 'x'); // a stage wrote outside its outputs
    const report = await gc(cache);
    expect(report.removedTemp.sort()).toEqual([
      `${'cd'.repeat(32)}.999999999.abcd`,
      'runs/20261124T000000000Z-abcdef.json.999999999.tmp',
      'stray.txt',
    ]);
    await rm(dir, { recursive: true });
  });
});
