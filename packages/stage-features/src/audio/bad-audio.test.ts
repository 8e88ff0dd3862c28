import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusFile } from '../../test/golden/corpora.ts';
import { BadAudioError, type BadAudioReason } from './bad-audio.ts';
import { decodeAudioBuffer, decodeAudioFile } from './decode.ts';
import { encodeWav } from './encode-wav.ts';

const tone = Float32Array.from({ length: 1600 }, (_, i) => 0.3 * Math.sin(i / 5));
const noFfmpeg = { ffmpeg: 'serx-no-such-ffmpeg' };

async function expectBad(bytes: Uint8Array, reason: BadAudioReason, detail: RegExp, path = 'corpus/x.wav') {
  const error = await decodeAudioBuffer(bytes, { path, ...noFfmpeg }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BadAudioError);
  const bad = error as BadAudioError;
  expect(bad.code).toBe('INPUT_DATA');
  expect(bad.reason).toBe(reason);
  expect(bad.path).toBe(path);
  expect(bad.message.startsWith(`${path}: ${reason} audio: `)).toBe(true);
  expect(bad.message).toMatch(detail);
}

describe('bad audio is reported with path and reason', () => {
  it('empty: 0 bytes, or a header with no samples', async () => {
    await expectBad(new Uint8Array(0), 'empty', /0 bytes/);
    await expectBad(encodeWav([new Float32Array(0)], { sampleRate: 16000 }), 'empty', /no audio samples/);
  });

  it('truncated WAV: data chunk longer than the file, or no data chunk', async () => {
    const wav = encodeWav([tone], { sampleRate: 16000 });
    await expectBad(
      wav.subarray(0, wav.length - 100),
      'truncated',
      /declares 3200 bytes but only 3100 follow/,
    );
    await expectBad(wav.subarray(0, 36), 'truncated', /no "data" chunk/);
  });

  it('corrupt WAV header', async () => {
    const wav = encodeWav([tone], { sampleRate: 16000 });
    const zeroChannels = wav.slice();
    new DataView(zeroChannels.buffer).setUint16(22, 0, true);
    await expectBad(zeroChannels, 'corrupt', /0 channels/);
    const noFmt = wav.slice();
    noFmt.set([0x6a, 0x75, 0x6e, 0x6b], 12); // "fmt " → "junk"
    await expectBad(noFmt, 'corrupt', /without a "fmt " chunk/);
  });

  it('corrupt float WAV: NaN or infinite samples', async () => {
    const nan = tone.slice();
    nan[700] = Number.NaN;
    await expectBad(
      encodeWav([nan], { sampleRate: 16000, format: 'float32' }),
      'corrupt',
      /non-finite sample \(NaN\) at sample 700/,
    );
    const inf = tone.slice();
    inf[3] = Number.POSITIVE_INFINITY;
    await expectBad(
      encodeWav([inf], { sampleRate: 16000, format: 'float64' }),
      'corrupt',
      /non-finite sample \(Infinity\) at sample 3/,
    );
  });

  it('silent: digital zero, or nothing above one 16-bit step', async () => {
    await expectBad(
      encodeWav([new Float32Array(800)], { sampleRate: 16000 }),
      'silent',
      /peak amplitude 0\.00e\+0/,
    );
    const lsb = Float32Array.from({ length: 800 }, (_, i) => (i % 2 ? 1 : -1) / 32768);
    await expectBad(encodeWav([lsb], { sampleRate: 16000 }), 'silent', /peak amplitude 3\.05e-5/);
    const twoLsb = lsb.map((v) => 2 * v);
    const ok = await decodeAudioBuffer(encodeWav([twoLsb], { sampleRate: 16000 }), { path: 'quiet.wav' });
    expect(ok.samples.length).toBe(800);
  });

  it('truncated AIFF', async () => {
    const bytes = readFileSync(corpusFile('raw-samples/tess/YAF_neat_fear.wav'));
    await expectBad(bytes.subarray(0, 20000), 'truncated', /COMM declares \d+ frames/);
  });

  it('truncated and corrupt FLAC (frame CRCs checked)', async () => {
    const flac = new Uint8Array(readFileSync(corpusFile('emodb/wav/03a01Fa.flac')));
    await expectBad(flac.subarray(0, 20000), 'truncated', /cut short/, 'emodb/wav/03a01Fa.flac');
    const flipped = flac.slice();
    flipped[15000] = (flipped[15000] as number) ^ 0x10;
    await expectBad(
      flipped,
      'corrupt',
      /CRC-16 mismatch in the FLAC frame at byte \d+/,
      'emodb/wav/03a01Fa.flac',
    );
    const zeroInfo = flac.slice(0, 8 + 34);
    zeroInfo.fill(0, 8 + 10, 8 + 14);
    await expectBad(zeroInfo, 'corrupt', /sample rate is 0/);
  });

  it('truncated and corrupt Ogg Opus (page CRC-32 checked)', async () => {
    const opus = new Uint8Array(
      readFileSync(corpusFile('librispeech/test-other/1688/1688-142285-0000.opus')),
    );
    await expectBad(opus.subarray(0, 30000), 'truncated', /Ogg page at byte \d+ runs \d+ bytes past the end/);
    const flipped = opus.slice();
    flipped[20000] = (flipped[20000] as number) ^ 0x01;
    await expectBad(flipped, 'corrupt', /CRC-32 mismatch in the Ogg page at byte \d+/);
  });

  it('an unknown format without ffmpeg is an ENVIRONMENT error naming the file and the tool', async () => {
    const bytes = new TextEncoder().encode('ftypM4A  this is not audio we decode in JS');
    const error = await decodeAudioBuffer(bytes, { path: 'vox/id1/abc/00001.m4a', ...noFfmpeg }).catch(
      (e: unknown) => e,
    );
    expect(error).not.toBeInstanceOf(BadAudioError);
    expect(error).toMatchObject({ code: 'ENVIRONMENT' });
    expect((error as Error).message).toMatch(
      /^vox\/id1\/abc\/00001\.m4a: .*needs `serx-no-such-ffmpeg`, which is not on PATH/,
    );
  });

  it('a WAV codec other than PCM/float also goes to ffmpeg', async () => {
    const adpcm = encodeWav([tone], { sampleRate: 16000 });
    new DataView(adpcm.buffer).setUint16(20, 0x0002, true);
    await expect(decodeAudioBuffer(adpcm, { path: 'a.wav', ...noFfmpeg })).rejects.toMatchObject({
      code: 'ENVIRONMENT',
    });
  });

  it('decodeAudioFile names the file it read', async () => {
    const path = corpusFile('raw-samples/tess/YAF_neat_fear.wav');
    const audio = await decodeAudioFile(path, { targetRate: null });
    expect(audio.sourceRate).toBe(24414);
    await expect(decodeAudioFile(`${path}.missing`)).rejects.toMatchObject({
      code: 'INPUT_DATA',
      message: `${path}.missing: cannot read audio file (ENOENT)`,
    });
  });
});
