import { readFileSync } from 'node:fs';
import { isSerxError } from '@serx/core';
import { describe, expect, it } from 'vitest';
import { corpusFile } from '../../test/golden/corpora.ts';
import { BadAudioError } from './bad-audio.ts';
import { decodeAudioBuffer } from './decode.ts';

/** mulberry32: a tiny seeded PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sources = {
  wav: 'raw-samples/emodb/03a01Fa.wav',
  aiff: 'raw-samples/tess/YAF_neat_fear.wav',
  flac: 'emodb/wav/03a01Nc.flac',
  opus: 'librispeech/test-other/367/367-130732-0000.opus',
};

// Damaged files must end in a decode or a coded SerxError, never a crash or a TypeError.
describe('damaged audio never crashes the decoders', () => {
  for (const [kind, rel] of Object.entries(sources)) {
    it(`${kind}: 40 random cuts and byte flips`, async () => {
      const original = new Uint8Array(readFileSync(corpusFile(rel)));
      const random = prng(kind.length * 7919);
      const outcomes = new Map<string, number>();
      for (let i = 0; i < 40; i++) {
        const bytes = original.slice(0, Math.floor(original.length * (i % 2 ? random() : 1)));
        const flips = i % 2 ? 0 : 1 + Math.floor(random() * 8);
        // Every fourth damaged copy is hit in its first 64 bytes, where the headers are.
        const span = i % 4 === 0 ? Math.min(64, bytes.length) : bytes.length;
        for (let f = 0; f < flips; f++) {
          const at = Math.floor(random() * span);
          bytes[at] = bytes[at]! ^ (1 << Math.floor(random() * 8));
        }
        const outcome = await decodeAudioBuffer(bytes, { path: rel, ffmpeg: 'serx-no-such-ffmpeg' }).then(
          (audio) => (audio.samples.every(Number.isFinite) ? 'decoded' : 'NaN samples'),
          (error: unknown) =>
            error instanceof BadAudioError ? error.reason : isSerxError(error) ? error.code : String(error),
        );
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
      const allowed = new Set([
        'decoded',
        'corrupt',
        'truncated',
        'empty',
        'silent',
        'unsupported',
        'ENVIRONMENT',
      ]);
      expect([...outcomes.keys()].filter((o) => !allowed.has(o))).toEqual([]);
    });
  }
});
