import { describe, expect, it } from 'vitest';
import { decodeAudioFile } from '../../src/audio/decode.ts';
import { corpusFile } from './corpora.ts';
import { golden, sha256Float32 } from './golden.ts';

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

  it('includes the TESS file that is AIFF named .wav', () => {
    expect(golden.rawSamples.find((r) => r.path.endsWith('YAF_neat_fear.wav'))?.format).toBe('AIFF');
  });
});
