import FFT from 'fft.js';
import { describe, expect, it } from 'vitest';
import { computeMfcc } from './compute.ts';
import { dctMatrix, FastDct } from './dct.ts';
import { frameLayout } from './framing.ts';
import { hzToMelHtk, hzToMelSlaney, melFilterbank, melToHzHtk, melToHzSlaney } from './mel.ts';
import { normaliseUtterance, padFrames } from './normalise.ts';
import { PairPowerSpectrum } from './power-spectrum.ts';
import { mfccPresets, resolveMfccOptions } from './presets.ts';

const psf = mfccPresets.python_speech_features;

describe('framing', () => {
  it('pad-end keeps the last partial frame (python_speech_features)', () => {
    expect([0, 400, 401, 560, 561, 16000].map((n) => frameLayout(n, psf).frames)).toEqual([
      1, 1, 2, 2, 3, 99,
    ]);
  });
  it('snip-edges keeps whole frames only (Kaldi)', () => {
    const kaldi = mfccPresets.kaldi;
    expect([399, 400, 559, 560, 16000].map((n) => frameLayout(n, kaldi).frames)).toEqual([0, 1, 1, 2, 98]);
  });
  it('center gives 1 + floor(n / hop) frames starting nfft/2 before the signal (librosa)', () => {
    expect(frameLayout(16000, mfccPresets.librosa)).toEqual({ frames: 32, firstStart: -1024 });
    expect(frameLayout(16000, { ...mfccPresets.librosa, winLength: 1024 })).toEqual({
      frames: 32,
      firstStart: -512,
    });
  });
});

describe('mel scales and filterbanks', () => {
  it('HTK and Slaney scales invert and hit their reference points', () => {
    expect(hzToMelHtk(700)).toBeCloseTo(2595 * Math.log10(2), 10);
    expect(hzToMelSlaney(1000)).toBeCloseTo(15, 12);
    expect(hzToMelSlaney(200 / 3)).toBeCloseTo(1, 12);
    for (const hz of [0, 300, 1000, 4321, 8000]) {
      expect(melToHzHtk(hzToMelHtk(hz))).toBeCloseTo(hz, 8);
      expect(melToHzSlaney(hzToMelSlaney(hz))).toBeCloseTo(hz, 8);
    }
  });

  it('psf filters are triangles on FFT bins that tile 0–8 kHz with peak 1', () => {
    const filters = melFilterbank(psf);
    expect(filters).toHaveLength(40);
    expect(filters[0]!.start).toBe(1);
    const last = filters[39]!;
    expect(last.start + last.weights.length).toBeLessThanOrEqual(257);
    for (const f of filters) expect(Math.max(...f.weights)).toBe(1);
  });

  it('kaldi filters start above 20 Hz and never touch the Nyquist bin', () => {
    const filters = melFilterbank(mfccPresets.kaldi);
    expect(filters[0]!.start).toBe(1);
    for (const f of filters) expect(f.start + f.weights.length).toBeLessThanOrEqual(256);
  });

  it('slaney-normalised filters have area 2/(right − left) per Hz', () => {
    const filters = melFilterbank(mfccPresets.librosa);
    expect(filters).toHaveLength(128);
    const binHz = 16000 / 2048;
    const area = filters[60]!.weights.reduce((a, w) => a + w, 0) * binHz;
    expect(area).toBeCloseTo(1, 1);
  });
});

describe('computeMfcc', () => {
  it('fft.js realTransform fills bins 0 … N/2 like a direct DFT', () => {
    const n = 512;
    const x = Float64Array.from(
      { length: n },
      (_, i) => Math.sin(i * 0.37) + 0.5 * Math.cos(i * 1.9) + (i % 7) / 10,
    );
    const out = new Float64Array(2 * n);
    new FFT(n).realTransform(out, x);
    for (const k of [0, 1, 37, 200, 256]) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < n; i++) {
        re += x[i]! * Math.cos((-2 * Math.PI * k * i) / n);
        im += x[i]! * Math.sin((-2 * Math.PI * k * i) / n);
      }
      expect(out[2 * k]).toBeCloseTo(re, 9);
      expect(out[2 * k + 1]).toBeCloseTo(im, 9);
    }
  });

  it('PairPowerSpectrum gives |DFT|² of both frames it transforms together', () => {
    for (const n of [8, 512, 2048]) {
      const spectrum = new PairPowerSpectrum(n);
      const a = Float64Array.from(
        { length: n },
        (_, i) => Math.sin(i * 0.37) + 0.5 * Math.cos(i * 1.9) + (i % 7) / 10,
      );
      const b = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.11) - (i % 3) / 4);
      for (let i = 0; i < n; i++) [spectrum.input[2 * i], spectrum.input[2 * i + 1]] = [a[i]!, b[i]!];
      const pa = new Float64Array(n / 2 + 1);
      const pb = new Float64Array(n / 2 + 1);
      spectrum.compute(pa, pb, 1 / n);
      for (const [x, p] of [
        [a, pa],
        [b, pb],
      ] as const) {
        for (const k of [0, 1, 3, n / 4, n / 2 - 1, n / 2]) {
          let re = 0;
          let im = 0;
          for (let i = 0; i < n; i++) {
            re += x[i]! * Math.cos((2 * Math.PI * k * i) / n);
            im -= x[i]! * Math.sin((2 * Math.PI * k * i) / n);
          }
          expect(p[k]! / ((re * re + im * im) / n)).toBeCloseTo(1, 9);
        }
      }
    }
  });

  it('FastDct (even/odd splitting) equals the DCT-II matrix for even, odd and prime sizes', () => {
    for (const n of [5, 13, 23, 40, 128]) {
      const x = Float64Array.from({ length: n + 3 }, (_, i) => Math.cos(i * 1.3) * (i + 1));
      const out = new Float64Array(n);
      new FastDct(n).transform(x, 3, out);
      const m = dctMatrix(n, n);
      for (let k = 0; k < n; k++) {
        let ref = 0;
        for (let j = 0; j < n; j++) ref += m[k * n + j]! * x[3 + j]!;
        expect(out[k]! * Math.sqrt((k === 0 ? 1 : 2) / n)).toBeCloseTo(ref, 9);
      }
    }
  });

  it('gives frames × 40 by default and honours numCeps without mixing cached pipelines', () => {
    const x = Float32Array.from({ length: 8000 }, (_, i) => 0.1 * Math.sin(i / 3) + 0.05 * Math.sin(i / 17));
    const full = computeMfcc(x);
    expect([full.frames, full.dims, full.data.length]).toEqual([49, 40, 49 * 40]);
    const short = computeMfcc(x, { numCeps: 13 });
    expect(short.dims).toBe(13);
    expect(Array.from(short.data.subarray(0, 13))).toEqual(Array.from(full.data.subarray(0, 13)));
    expect(computeMfcc(x).data).toEqual(full.data);
  });

  it('digital silence hits the log floor instead of -Infinity', () => {
    const m = computeMfcc(new Float32Array(1600));
    expect(m.data[0]).toBe(Math.fround(Math.log(psf.logFloor) * Math.sqrt(40)));
    expect(m.data[1]).toBeCloseTo(0, 9);
  });

  it('rejects impossible options', () => {
    expect(() => computeMfcc(new Float32Array(10), { nfft: 500 })).toThrow(
      /nfft 500 must be a power of two ≥ 4/,
    );
    expect(() => computeMfcc(new Float32Array(10), { numCeps: 41 })).toThrow(
      /numCeps 41 must be in 1 … numFilters \(40\)/,
    );
    expect(() => computeMfcc(new Float32Array(10), { winLength: 1024 })).toThrow(/winLength 1024/);
    expect(() => resolveMfccOptions({ preset: 'htk' as never })).toThrow(/unknown MFCC preset "htk"/);
  });
});

describe('normaliseUtterance and padFrames', () => {
  const m = { data: Float32Array.from([1, 5, 3, 5, 5, 5]), frames: 3, dims: 2 };

  it('zero mean and unit population variance per coefficient; constant ones are only centred', () => {
    const n = normaliseUtterance(m);
    const sd = Math.sqrt(8 / 3);
    expect(Array.from(n.data)).toEqual(Array.from([-2 / sd, 0, 0, 0, 2 / sd, 0], Math.fround));
  });

  it('pads at the end to the minimum: zeros by default, or repeat / edge frames', () => {
    expect(Array.from(padFrames(m, 5).data)).toEqual([1, 5, 3, 5, 5, 5, 0, 0, 0, 0]);
    expect(Array.from(padFrames(m, 5, 'repeat').data)).toEqual([1, 5, 3, 5, 5, 5, 1, 5, 3, 5]);
    expect(Array.from(padFrames(m, 5, 'edge').data)).toEqual([1, 5, 3, 5, 5, 5, 5, 5, 5, 5]);
    expect(padFrames(m, 3)).toBe(m);
    expect(padFrames(m).frames).toBe(100);
  });
});
