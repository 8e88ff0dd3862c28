import { describe, expect, it } from 'vitest';
import { decodeAudioFile } from '../../src/audio/decode.ts';
import { computeMfcc } from '../../src/mfcc/compute.ts';
import { corpusFile } from './corpora.ts';
import { golden, readGoldenArray, sha256Float32 } from './golden.ts';

// Hashes come from soundfile (libsndfile) in make_golden.py: both decoders must agree bit for bit.
describe('decoded samples equal libsndfile exactly', () => {
  for (const u of golden.utterances) {
    it(`FLAC ${u.path}`, async () => {
      const audio = await decodeAudioFile(corpusFile(u.path), { targetRate: null });
      expect(audio.sampleRate).toBe(u.sampleRate);
      expect(audio.samples.length).toBe(u.samples);
      expect(sha256Float32(audio.samples)).toBe(u.sha256);
    });
  }

  for (const raw of golden.rawSamples) {
    it(`${raw.format} ${raw.path} (${raw.channels} ch, ${raw.sampleRate} Hz)`, async () => {
      const audio = await decodeAudioFile(corpusFile(raw.path), { targetRate: null });
      expect([audio.channels, audio.sourceRate, audio.samples.length]).toEqual([raw.channels, raw.sampleRate, raw.samples]);
      expect(sha256Float32(audio.samples)).toBe(raw.sha256);
    });
  }

  it('concurrent FLAC decodes in one thread (shared decoder) still agree exactly', async () => {
    const twice = [...golden.utterances, ...golden.utterances];
    const decoded = await Promise.all(twice.map((u) => decodeAudioFile(corpusFile(u.path), { targetRate: null })));
    expect(decoded.map((a) => sha256Float32(a.samples))).toEqual(twice.map((u) => u.sha256));
  });

  it('includes the TESS file that is AIFF named .wav', () => {
    expect(golden.rawSamples.find((r) => r.path.endsWith('YAF_neat_fear.wav'))?.format).toBe('AIFF');
  });
});

// Lossy codec: libopus inside libsndfile decodes at 16 kHz, we decode at 48 kHz and resample.
describe('Ogg Opus decodes like libsndfile up to codec and resampler differences', () => {
  it(`${golden.opus.path}: same length, MFCCs correlate ≥ 0.97 per coefficient and ≥ 0.99 on average`, async () => {
    const audio = await decodeAudioFile(corpusFile(golden.opus.path));
    expect([audio.sourceRate, audio.sampleRate, audio.samples.length]).toEqual([48000, 16000, golden.opus.samples]);
    const ours = computeMfcc(audio.samples);
    const ref = readGoldenArray(golden.opus.python_speech_features);
    expect(ours.frames).toBe(golden.opus.python_speech_features.frames);
    const corr = Array.from({ length: 40 }, (_, k) => correlation(ours.data, ref, k, 40));
    expect(Math.min(...corr)).toBeGreaterThan(0.97);
    expect(corr.reduce((a, c) => a + c, 0) / 40).toBeGreaterThan(0.99);
  });
});

function correlation(a: Float32Array, b: Float32Array, k: number, dims: number): number {
  let [sa, sb, saa, sbb, sab] = [0, 0, 0, 0, 0];
  const n = a.length / dims;
  for (let t = 0; t < n; t++) {
    const x = a[t * dims + k]!;
    const y = b[t * dims + k]!;
    [sa, sb, saa, sbb, sab] = [sa + x, sb + y, saa + x * x, sbb + y * y, sab + x * y];
  }
  return (sab - (sa * sb) / n) / Math.sqrt((saa - (sa * sa) / n) * (sbb - (sb * sb) / n));
}
