import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveMfccOptions } from '../src/mfcc/index.ts';
import { extractionPool, runTask, WorkerPool } from '../src/workers/index.ts';
import { CORPORA } from './helpers.ts';

const mfcc = resolveMfccOptions();
const task = (path: string) => ({ path, mfcc, normalise: true, minFrames: 100, pad: 'zero' as const });
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'serx-workers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('extraction worker pool', { timeout: 120_000 }, () => {
  it('gives the same features as the in-thread task, in parallel threads', async () => {
    const files = ['03a01Fa', '03a01Nc', '16b10Wb'].map((f) => join(CORPORA, 'emodb/wav', `${f}.flac`));
    const pool = extractionPool(2);
    try {
      const results = await Promise.all(files.map((f) => pool.extract(task(f))));
      const local = await runTask({ kind: 'extract', ...task(files[0]!) });
      if (!results[0]!.ok || !local.ok) throw new Error('extraction failed');
      expect(results[0]!.dims).toBe(40);
      expect(results[0]!.frames).toBe(Math.max(100, results[0]!.rawFrames));
      expect(results[0]!.data).toEqual(local.data);
      // 03a01Fa is 1.898 s at 16 kHz: python_speech_features framing gives 1 + ceil((n - 400) / 160) frames.
      expect(local.rawFrames).toBe(1 + Math.ceil((Math.round(local.duration * 16000) - 400) / 160));
      const probe = await pool.probe({ path: files[1]! });
      expect(probe).toMatchObject({ ok: true, sourceRate: 16000, channels: 1 });
    } finally {
      await pool.close();
    }
  });

  it('reports bad audio as a failure with path and reason instead of crashing the worker', async () => {
    const empty = join(dir, 'empty.wav');
    await writeFile(empty, '');
    const pool = extractionPool(1);
    try {
      expect(await pool.extract(task(empty))).toMatchObject({
        ok: false,
        code: 'INPUT_DATA',
        reason: 'empty',
        message: expect.stringContaining(empty),
      });
      expect(await pool.probe({ path: join(CORPORA, 'emodb/wav/03a01Fa.flac') })).toMatchObject({ ok: true });
    } finally {
      await pool.close();
    }
  });
});

describe('worker pool lifecycle', { timeout: 120_000 }, () => {
  const entry = new URL('./fixtures/echo-worker.ts', import.meta.url);
  type Echo = { value: string; threadId: number };

  it('starts workers on demand, replaces a crashed one and keeps serving', async () => {
    const pool = new WorkerPool<{ value: string }, Echo>(entry, 2);
    try {
      const one = await pool.run({ value: 'a' });
      expect(one.value).toBe('a');
      await expect(pool.run({ value: 'crash' })).rejects.toMatchObject({
        message: 'worker thread exited with code 3',
      });
      await expect(pool.run({ value: 'throw' })).rejects.toThrow('handler failed');
      const after = await Promise.all(['b', 'c', 'd'].map((value) => pool.run({ value })));
      expect(after.map((r) => r.value)).toEqual(['b', 'c', 'd']);
      expect(new Set(after.map((r) => r.threadId)).size).toBeLessThanOrEqual(2);
    } finally {
      await pool.close();
    }
  });

  it('an abort fails queued tasks with the abort reason and refuses new ones', async () => {
    const controller = new AbortController();
    const pool = new WorkerPool<{ value: string }, Echo>(entry, 1, controller.signal);
    const tasks = ['x', 'y', 'z'].map((value) => pool.run({ value }));
    controller.abort(new Error('stop now'));
    const settled = await Promise.allSettled(tasks);
    expect(settled.every((s) => s.status === 'rejected' && (s.reason as Error).message === 'stop now')).toBe(
      true,
    );
    await expect(pool.run({ value: 'late' })).rejects.toThrow('stop now');
  });
});
