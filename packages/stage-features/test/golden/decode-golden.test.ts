import { describe, expect, it } from 'vitest';
import { decodeAudioFile } from '../../src/audio/decode.ts';
import { computeMfcc } from '../../src/mfcc/compute.ts';
import { corpusFile } from './corpora.ts';
import { golden, maxAbsDiff, readGoldenArray, sha256Float32 } from './golden.ts';

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

// Both libsndfile and serx let libopus decode straight to 16 kHz: the lossy decode agrees exactly.
describe('Ogg Opus decodes exactly like libsndfile', () => {
  it(golden.opus.path, async () => {
    const audio = await decodeAudioFile(corpusFile(golden.opus.path));
    expect([audio.sourceRate, audio.sampleRate, audio.samples.length]).toEqual([16000, 16000, golden.opus.samples]);
    expect(sha256Float32(audio.samples)).toBe(golden.opus.sha256);
    const ref = readGoldenArray(golden.opus.python_speech_features);
    expect(maxAbsDiff(computeMfcc(audio.samples).data, ref)).toBeLessThanOrEqual(1e-4);
  });

  it('decodes at 48 kHz and resamples when the target is not a native Opus rate', async () => {
    const audio = await decodeAudioFile(corpusFile(golden.opus.path), { targetRate: 22050 });
    expect([audio.sourceRate, audio.sampleRate]).toEqual([16000, 22050]);
    expect(audio.samples.length).toBe(Math.floor((golden.opus.samples * 3 * 22050) / 48000));
  });
});
