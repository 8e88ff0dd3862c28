import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BadAudioError } from './bad-audio.ts';
import { decodeAudioBuffer, decodeAudioFile } from './decode.ts';
import { encodeWav } from './encode-wav.ts';

const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'serx-ffmpeg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Encodes a 1 s 16 kHz 440 Hz tone with ffmpeg into `name` and returns its path. */
function encode(name: string, codecArgs: string[]): string {
  const wav = join(dir, 'tone.wav');
  const tone = Float32Array.from(
    { length: 16000 },
    (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 16000),
  );
  writeFileSync(wav, encodeWav([tone], { sampleRate: 16000 }));
  const out = join(dir, name);
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', wav, ...codecArgs, out]);
  if (r.status !== 0) throw new Error(`ffmpeg could not make ${name}: ${r.stderr}`);
  return out;
}

/** Upward zero crossings per second over the middle half (clear of codec priming and padding). */
function zeroCrossingsPerSecond(x: Float32Array, rate: number): number {
  const a = Math.floor(x.length / 4);
  const b = Math.floor((3 * x.length) / 4);
  let n = 0;
  for (let i = a + 1; i < b; i++) if (x[i - 1]! < 0 && x[i]! >= 0) n++;
  return (n * rate) / (b - a);
}

describe.skipIf(!hasFfmpeg)('formats decoded through ffmpeg', () => {
  it('m4a/AAC (VoxCeleb2) from disk, whose index sits at the end of the file', async () => {
    const path = encode('00001.m4a', ['-c:a', 'aac', '-b:a', '64k']);
    const audio = await decodeAudioFile(path);
    expect(audio.sourceRate).toBe(16000);
    expect(Math.abs(audio.samples.length - 16000)).toBeLessThanOrEqual(1024);
    expect(Math.abs(zeroCrossingsPerSecond(audio.samples, 16000) - 440)).toBeLessThan(4);
  });

  it('a μ-law WAV (codec 7) from bytes', async () => {
    const path = encode('mulaw.wav', ['-c:a', 'pcm_mulaw']);
    const audio = await decodeAudioBuffer(new Uint8Array(readFileSync(path)), { path, targetRate: null });
    expect(audio.samples.length).toBe(16000);
    // μ-law steps near 0.5 are 1/64 of full scale.
    expect(Math.abs(Math.max(...audio.samples) - 0.5)).toBeLessThan(0.02);
  });

  it('bytes ffmpeg cannot read either are unsupported, with ffmpeg’s reason', async () => {
    const bytes = new TextEncoder().encode('definitely not an audio file, just text');
    const error = await decodeAudioBuffer(bytes, { path: 'notes.m4a' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadAudioError);
    expect(error).toMatchObject({ code: 'INPUT_DATA', reason: 'unsupported', path: 'notes.m4a' });
    expect((error as Error).message).toMatch(
      /^notes\.m4a: unsupported audio: ffmpeg could not decode it: .+/,
    );
  });
});
