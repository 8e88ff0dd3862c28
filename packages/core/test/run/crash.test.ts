import { spawn } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gc, openCache, runGraph } from '../../src/index.ts';
import { diamond } from '../fixtures/run-plugin/graph.ts';
import { executions, tempDir } from './helpers.ts';

/** `node --import` this to run a TypeScript script through core's loader (src/loader/import.mjs). */
const TYPESCRIPT = createRequire(import.meta.url).resolve('@serx/core/typescript/import');

const child = join(import.meta.dirname, '../fixtures/run-plugin/run-child.ts');

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
}

function runChild(
  cache: string,
  markers: string,
  options: { jobs?: number; delayMs?: number; fault?: string; barrier?: string; onReady?: () => void } = {},
): Promise<ChildResult> {
  const env = { ...process.env, SERX_FAULT: options.fault ?? '' };
  const args = [
    child,
    cache,
    markers,
    String(options.jobs ?? 1),
    String(options.delayMs ?? 0),
    ...(options.barrier ? [options.barrier] : []),
  ];
  const proc = spawn(process.execPath, ['--import', TYPESCRIPT, ...args], { env });
  let stdout = '';
  proc.stdout.on('data', (chunk: Buffer) => {
    if (chunk.toString().startsWith('ready\n')) options.onReady?.();
    stdout += chunk.toString().replace(/^ready\n/, '');
  });
  proc.stderr.on('data', (chunk) => (stdout += chunk));
  return new Promise((resolve) => proc.on('close', (code, signal) => resolve({ code, signal, stdout })));
}

// With --jobs 1 the diamond computes a, b, ab, total in this order, so `<point>@n` kills the
// runner at that point of the n-th computed stage; `published` is how many entries must exist.
const killPoints: [fault: string, published: number][] = [
  ['lock-acquired@1', 0],
  ['stage-start@1', 0],
  ['stage-start@4', 3],
  ['stage-done@2', 1],
  ['manifest-written@1', 0],
  ['manifest-written@3', 2],
  ['published@2', 2],
  ['published@4', 4],
  ['workdir-removed@3', 3],
  ['run-end', 4],
];

async function killAndResume(fault: string, published: number): Promise<void> {
  const dir = await tempDir('serx-crash-');
  const cacheDir = join(dir, 'cache');
  const markers = join(dir, 'markers');
  const killed = await runChild(cacheDir, markers, { fault });
  expect(killed.signal, `${fault}: ${killed.stdout}`).toBe('SIGKILL');

  const cache = await openCache(cacheDir);
  const entries = await cache.listEntries();
  expect(entries.length, fault).toBe(published);
  for (const key of entries)
    expect((await cache.lookup(key, { verify: true, keepCorrupt: true })).status, `${fault} ${key}`).toBe(
      'hit',
    );
  const before = await executions(markers);

  const summary = await runGraph(diamond('crash', markers), { cache, jobs: 1 });
  expect(summary.status, fault).toBe('succeeded');
  const after = await executions(markers);
  for (const [id, stage] of Object.entries(summary.stages)) {
    const reused = entries.includes(stage.key as string);
    expect(stage.status, `${fault} ${id}`).toBe(reused ? 'cached' : 'succeeded');
    expect(after[id] ?? 0, `${fault} ${id}`).toBe((before[id] ?? 0) + (reused ? 0 : 1));
  }
  for (const key of await cache.listEntries())
    expect((await cache.lookup(key, { verify: true })).status).toBe('hit');
  expect(await readdir(cache.path('tmp')), fault).toEqual([]);
  expect(await readdir(cache.path('work')), fault).toEqual([]);
  // a lock of a key published just before the kill is stale but harmless; gc clears it
  const report = await gc(cache);
  expect(report.removedEntries, fault).toEqual([]);
  expect(await readdir(cache.path('locks')), fault).toEqual([]);
}

describe('reliability', () => {
  it('resumes after SIGKILL at any point: finished stages reused, no corrupt entry, nothing left over', async () => {
    // two children at a time: the machine has few cores and each child is mostly startup
    for (let i = 0; i < killPoints.length; i += 2) {
      await Promise.all(
        killPoints.slice(i, i + 2).map(([fault, published]) => killAndResume(fault, published)),
      );
    }
  }, 60_000);

  it('two concurrent runs on one cache compute every stage exactly once', async () => {
    const dir = await tempDir('serx-concurrent-');
    const cacheDir = join(dir, 'cache');
    const markers = join(dir, 'markers');
    const barrier = join(dir, 'go');
    let ready = 0;
    const onReady = () => ++ready === 2 && void writeFile(barrier, '');
    const [one, two] = await Promise.all([
      runChild(cacheDir, markers, { jobs: 2, delayMs: 150, barrier, onReady }),
      runChild(cacheDir, markers, { jobs: 2, delayMs: 150, barrier, onReady }),
    ]);
    expect([one.code, two.code], `${one.stdout}\n${two.stdout}`).toEqual([0, 0]);
    expect(await executions(markers)).toEqual({ a: 1, b: 1, ab: 1, total: 1 });
    const counts = [one, two].map((r) => JSON.parse(r.stdout).counts);
    expect(counts[0].succeeded + counts[1].succeeded).toBe(4);
    expect(counts[0].cached + counts[1].cached).toBe(4);
    // they really overlapped: one run waited on the other's lock at least once
    expect(JSON.parse(one.stdout).waited + JSON.parse(two.stdout).waited).toBeGreaterThan(0);
  }, 30_000);
});
