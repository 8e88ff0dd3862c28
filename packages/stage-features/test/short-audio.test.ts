import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../src/audio/encode-wav.ts';
import { resolveMfccOptions } from '../src/mfcc/index.ts';
import { ingest, mfcc } from '../src/stages/index.ts';
import { openFeatureStore } from '../src/store/index.ts';
import { runTask } from '../src/workers/index.ts';
import { asArtifact, testContext } from './context.ts';
import { sineWav, writeFileDeep } from './fixtures/wav.ts';

// Audio shorter than one 25 ms analysis window (400 samples at 16 kHz) must never become a
// zero-padded block of features labelled with the utterance's class.
const samples = (n: number) => Buffer.from(encodeWav([new Float32Array(n).fill(0.5)], { sampleRate: 16000 }));

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'serx-short-audio-'));
  await writeFileDeep(join(root, 'angry/s1_ok.wav'), sineWav(0.5));
  await writeFileDeep(join(root, 'angry/s1_one_sample.wav'), samples(1));
  await writeFileDeep(join(root, 'sad/s2_window_minus_one.wav'), samples(399));
  await writeFileDeep(join(root, 'sad/s2_one_window.wav'), samples(400));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('audio shorter than one analysis window', { timeout: 120_000 }, () => {
  const mfccOptions = resolveMfccOptions();
  const task = (name: string) => ({
    kind: 'extract' as const,
    path: join(root, name),
    mfcc: mfccOptions,
    normalise: true,
    minFrames: 100,
    pad: 'zero' as const,
  });

  it('is INPUT_DATA (reason too-short) naming the file and the window; one whole window is fine', async () => {
    expect(await runTask(task('angry/s1_one_sample.wav'))).toEqual({
      ok: false,
      code: 'INPUT_DATA',
      reason: 'too-short',
      message: `${join(root, 'angry/s1_one_sample.wav')}: too-short audio: 1 sample(s) (0.1 ms) is shorter than one MFCC analysis window (400 samples, 25 ms)`,
    });
    expect(await runTask(task('sad/s2_window_minus_one.wav'))).toMatchObject({
      ok: false,
      reason: 'too-short',
    });
    expect(await runTask(task('sad/s2_one_window.wav'))).toMatchObject({ ok: true, rawFrames: 1 });
  });

  it('features:mfcc fails on it under onBadAudio: fail, and skips and counts it under skip', async () => {
    const i = await testContext(ingest, {
      corpus: 'mine',
      reader: 'folder-per-label',
      root,
      probe: false,
      options: { speakerPattern: '^(s\\d)_' },
    });
    await ingest.run(i.ctx);
    const utterances = asArtifact(i.ctx.outputs.utterances!, 'utterances', ['mine']);

    const fail = await testContext(mfcc, {}, { utterances }, { threads: 1 });
    await expect(mfcc.run(fail.ctx)).rejects.toMatchObject({
      code: 'INPUT_DATA',
      message: expect.stringContaining('s1_one_sample.wav: too-short audio: 1 sample(s)'),
    });

    const skip = await testContext(mfcc, { onBadAudio: 'skip' }, { utterances }, { threads: 1 });
    const result = await mfcc.run(skip.ctx);
    const store = await openFeatureStore(skip.ctx.outputs.features!);
    expect(store.rows.map((r) => r.id).sort()).toEqual(['angry/s1_ok', 'sad/s2_one_window']);
    expect(result?.meta?.features).toMatchObject({ count: 2, skipped: 2 });
    const listed = (await readFile(join(skip.ctx.outputs.features!, 'skipped.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; reason: string });
    expect(listed.map((s) => [s.id, s.reason]).sort()).toEqual([
      ['angry/s1_one_sample', 'too-short'],
      ['sad/s2_window_minus_one', 'too-short'],
    ]);
  });
});
