import { describe, expect, it } from 'vitest';
import { decodeAudioBuffer } from './decode.ts';
import { encodeWav } from './encode-wav.ts';

// Values on the 8-bit grid are exact in every WAV sample format.
const grid = Float32Array.from({ length: 256 }, (_, k) => (k - 128) / 128);
const raw = { targetRate: null } as const;

describe('WAV decoding', () => {
  for (const format of ['uint8', 'int16', 'int24', 'int32', 'float32', 'float64'] as const) {
    for (const extensible of [false, true]) {
      it(`reads ${format}${extensible ? ' (WAVE_FORMAT_EXTENSIBLE)' : ''} exactly`, async () => {
        const bytes = encodeWav([grid], { sampleRate: 16000, format, extensible });
        const audio = await decodeAudioBuffer(bytes, raw);
        expect(audio.sampleRate).toBe(16000);
        expect(audio.channels).toBe(1);
        expect(Array.from(audio.samples)).toEqual(Array.from(grid));
      });
    }
  }

  it('reads hand-made 16-bit little-endian PCM bytes', async () => {
    const header = [
      ...'RIFF'.split('').map((c) => c.charCodeAt(0)),
      42,
      0,
      0,
      0,
      ...'WAVEfmt '.split('').map((c) => c.charCodeAt(0)),
      16,
      0,
      0,
      0,
      1,
      0,
      1,
      0,
      0x80,
      0x3e,
      0,
      0,
      0,
      0x7d,
      0,
      0,
      2,
      0,
      16,
      0,
      ...'data'.split('').map((c) => c.charCodeAt(0)),
      6,
      0,
      0,
      0,
    ];
    const bytes = Uint8Array.from([...header, 0x01, 0x00, 0x00, 0x80, 0xff, 0x7f]);
    const audio = await decodeAudioBuffer(bytes, { ...raw, path: 'hand.wav' });
    expect(Array.from(audio.samples)).toEqual([1 / 32768, -1, 32767 / 32768]);
    expect(audio.durationSec).toBeCloseTo(3 / 16000, 12);
  });

  it('averages channels into mono', async () => {
    const left = grid;
    const right = grid.map((v) => -v / 2);
    const audio = await decodeAudioBuffer(
      encodeWav([left, right], { sampleRate: 8000, format: 'int24' }),
      raw,
    );
    expect(audio.channels).toBe(2);
    expect(Array.from(audio.samples)).toEqual(Array.from(grid, (v) => v / 4));
  });

  it('accepts the unknown data size streaming writers put in the header', async () => {
    const bytes = encodeWav([grid], { sampleRate: 16000, format: 'float32' });
    new DataView(bytes.buffer).setUint32(40, 0xffffffff, true);
    const audio = await decodeAudioBuffer(bytes, raw);
    expect(audio.samples.length).toBe(grid.length);
  });

  it('resamples to 16 kHz by default and keeps the source rate on record', async () => {
    const tone = Float32Array.from(
      { length: 48000 },
      (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 48000),
    );
    const audio = await decodeAudioBuffer(encodeWav([tone], { sampleRate: 48000 }));
    expect(audio.sampleRate).toBe(16000);
    expect(audio.sourceRate).toBe(48000);
    expect(audio.samples.length).toBe(16000);
    expect(audio.durationSec).toBe(1);
  });
});

function aiff(frames: number[][], bits: 16 | 24, rate: number, aifc?: string): Uint8Array {
  const channels = frames[0]!.length;
  const width = bits / 8;
  const commSize = aifc ? 24 : 18;
  const dataSize = frames.length * channels * width;
  const bytes = new Uint8Array(12 + 8 + commSize + 16 + dataSize + (aifc ? 12 : 0));
  const view = new DataView(bytes.buffer);
  const text = (p: number, s: string): void => {
    for (let i = 0; i < s.length; i++) view.setUint8(p + i, s.charCodeAt(i));
  };
  text(0, 'FORM');
  view.setUint32(4, bytes.length - 8);
  text(8, aifc ? 'AIFC' : 'AIFF');
  let p = 12;
  if (aifc) {
    text(p, 'FVER');
    view.setUint32(p + 4, 4);
    view.setUint32(p + 8, 0xa2805140);
    p += 12;
  }
  text(p, 'COMM');
  view.setUint32(p + 4, commSize);
  view.setInt16(p + 8, channels);
  view.setUint32(p + 10, frames.length);
  view.setInt16(p + 14, bits);
  // 80-bit extended: exponent 16383 + e, mantissa with explicit integer bit.
  const e = Math.floor(Math.log2(rate));
  view.setUint16(p + 16, 16383 + e);
  view.setUint32(p + 18, (rate / 2 ** e) * 2 ** 31);
  if (aifc) text(p + 26, aifc);
  p += 8 + commSize;
  text(p, 'SSND');
  view.setUint32(p + 4, 8 + dataSize);
  p += 16;
  const le = aifc === 'sowt';
  for (const frame of frames) {
    for (const v of frame) {
      if (bits === 16) view.setInt16(p, v, le);
      else {
        const u = v & 0xffffff;
        const b = [(u >> 16) & 0xff, (u >> 8) & 0xff, u & 0xff];
        for (const [i, x] of (le ? b.reverse() : b).entries()) view.setUint8(p + i, x);
      }
      p += width;
    }
  }
  return bytes;
}

describe('AIFF decoding (by content, whatever the name)', () => {
  it('reads big-endian 16-bit stereo AIFF named .wav', async () => {
    const bytes = aiff(
      [
        [1, 3],
        [-32768, -32768],
        [32767, 1],
      ],
      16,
      24414,
    );
    const audio = await decodeAudioBuffer(bytes, { ...raw, path: 'YAF_neat_fear.wav' });
    expect(audio.sampleRate).toBe(24414);
    expect(audio.channels).toBe(2);
    expect(Array.from(audio.samples)).toEqual([2 / 32768, -1, 16384 / 32768]);
  });

  it('reads 24-bit AIFF and little-endian AIFC (sowt)', async () => {
    const a24 = await decodeAudioBuffer(aiff([[-8388608], [4194304], [1]], 24, 44100), raw);
    expect(Array.from(a24.samples)).toEqual([-1, 0.5, 1 / 8388608]);
    expect(a24.sampleRate).toBe(44100);
    const sowt = await decodeAudioBuffer(aiff([[256], [-512]], 16, 16000, 'sowt'), raw);
    expect(Array.from(sowt.samples)).toEqual([256 / 32768, -512 / 32768]);
  });

  it('hands compressed AIFC (ima4) to ffmpeg, and says so when ffmpeg is missing', async () => {
    const ima4 = aiff([[1], [2]], 16, 16000, 'ima4');
    await expect(
      decodeAudioBuffer(ima4, { path: 'x.aifc', ffmpeg: 'serx-no-such-ffmpeg' }),
    ).rejects.toMatchObject({
      code: 'ENVIRONMENT',
      message: expect.stringMatching(/^x\.aifc: this audio format needs `serx-no-such-ffmpeg`/),
    });
  });
});

describe('WAV samples narrower than their container', () => {
  it('reads 20-bit PCM stored in 3 bytes as 24-bit', async () => {
    const bytes = encodeWav([grid], { sampleRate: 16000, format: 'int24' });
    new DataView(bytes.buffer).setUint16(34, 20, true);
    const audio = await decodeAudioBuffer(bytes, raw);
    expect(Array.from(audio.samples)).toEqual(Array.from(grid));
  });
});
