import { describe, expect, it } from 'vitest';
import { decodeAudioFile } from '../../src/audio/decode.ts';
import { computeMfcc } from '../../src/mfcc/compute.ts';
import type { MfccPresetName } from '../../src/mfcc/presets.ts';
import { corpusFile } from './corpora.ts';
import { golden, maxAbsDiff, readGoldenArray } from './golden.ts';

/**
 * Max |JS − reference| per preset, before normalisation. python_speech_features works in float64
 * like we do (the bound is 1e-4; we measure 0 after float32 rounding). librosa (STFT in
 * float32, |values| up to ~800) measures 6.1e-5; kaldi-native-fbank (float32 throughout, lifter
 * up to ×12) measures 7.2e-4.
 */
const TOLERANCE: Record<MfccPresetName, number> = {
  python_speech_features: 1e-4,
  librosa: 2e-4,
  kaldi: 2e-3,
};

describe('MFCC conformance with the Python references', () => {
  for (const u of golden.utterances) {
    for (const preset of Object.keys(TOLERANCE) as MfccPresetName[]) {
      it(`${preset}: ${u.name}`, async () => {
        const { samples } = await decodeAudioFile(corpusFile(u.path));
        const expected = readGoldenArray(u.presets[preset]);
        const got = computeMfcc(samples, { preset });
        expect([got.frames, got.dims]).toEqual([u.presets[preset].frames, u.presets[preset].dims]);
        expect(maxAbsDiff(got.data, expected)).toBeLessThanOrEqual(TOLERANCE[preset]);
      });
    }
  }
});
