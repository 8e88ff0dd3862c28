import FFT from 'fft.js';
import { describe, expect, it } from 'vitest';
import { type ResampleQuality, resample } from './resample.ts';

const sine = (freq: number, rate: number, seconds: number, amp = 0.5): Float32Array =>
  Float32Array.from(
    { length: Math.round(rate * seconds) },
    (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate),
  );

/** Frequency of the largest Hann-windowed FFT bin over `size` samples from the middle. */
function peakFrequency(x: Float32Array, rate: number, size = 16384): number {
  const fft = new FFT(size);
  const start = Math.floor((x.length - size) / 2);
  const frame = Float64Array.from(
    { length: size },
    (_, i) => x[start + i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size)),
  );
  const out = new Float64Array(2 * size);
  fft.realTransform(out, frame);
  let best = 0;
  let bestPower = -1;
  for (let k = 1; k < size / 2; k++) {
    const p = out[2 * k]! ** 2 + out[2 * k + 1]! ** 2;
    if (p > bestPower) [best, bestPower] = [k, p];
  }
  return (best * rate) / size;
}

/** Level of y relative to x in dB (RMS, edges skipped). */
function gainDb(y: Float32Array, x: Float32Array): number {
  const rms = (v: Float32Array) => {
    const a = Math.floor(v.length * 0.1);
    const b = Math.floor(v.length * 0.9);
    let s = 0;
    for (let i = a; i < b; i++) s += v[i]! ** 2;
    return Math.sqrt(s / (b - a));
  };
  return 20 * Math.log10(rms(y) / rms(x));
}

describe('resample (libsamplerate)', () => {
  it.each([
    [44100, 16000, 1000],
    [48000, 16000, 3000],
    [24414, 16000, 440],
    [8000, 16000, 1500],
  ])('keeps a %i Hz → %i Hz tone of %i Hz at its frequency and level', async (from, to, freq) => {
    const x = sine(freq, from, 2);
    const y = await resample(x, from, to);
    expect(y.length).toBe(Math.floor((x.length * to) / from));
    expect(Math.abs(peakFrequency(y, to) - freq)).toBeLessThanOrEqual(to / 16384);
    expect(Math.abs(gainDb(y, x))).toBeLessThan(0.01);
  });

  it.each([
    ['medium', 10000, 100],
    ['medium', 12000, 100],
    ['best', 10000, 140],
    ['best', 9000, 140],
  ] as [ResampleQuality, number, number][])(
    '%s quality suppresses a %i Hz tone (above the new Nyquist) by ≥ %i dB',
    async (quality, freq, atten) => {
      const x = sine(freq, 48000, 1);
      const y = await resample(x, 48000, 16000, { quality });
      expect(gainDb(y, x)).toBeLessThan(-atten);
    },
  );

  it('passband: medium keeps 7 kHz within 0.5 dB when going to 16 kHz; best keeps 7.5 kHz', async () => {
    expect(gainDb(await resample(sine(7000, 48000, 1), 48000, 16000), sine(7000, 48000, 1))).toBeGreaterThan(
      -0.5,
    );
    const x = sine(7500, 48000, 1);
    expect(gainDb(await resample(x, 48000, 16000, { quality: 'best' }), x)).toBeGreaterThan(-0.5);
  });

  it.each([
    [48000, 16000],
    [24414, 16000],
  ])('long signals (%i → %i) are processed in overlapping blocks identical to one pass', async (from, to) => {
    const x = Float32Array.from(
      { length: 8 * from },
      (_, i) => 0.3 * Math.sin(i * 0.05) + 0.2 * Math.sin(i * 0.31),
    );
    const whole = await resample(x, from, to);
    const blocks = await resample(x, from, to, { blockSize: 4 * from });
    expect(blocks.length).toBe(whole.length);
    expect(Array.from(blocks)).toEqual(Array.from(whole));
  });

  it('returns the input when the rates match and rejects non-integer rates', async () => {
    const x = sine(100, 16000, 0.1);
    expect(await resample(x, 16000, 16000)).toBe(x);
    await expect(resample(x, 16000.5, 16000)).rejects.toThrow(/positive integers/);
  });
});
