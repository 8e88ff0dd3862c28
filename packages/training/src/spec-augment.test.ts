import { mulberry32 } from '@serx/core';
import { describe, expect, it } from 'vitest';
import { padBatch } from './batching.ts';
import { specAugment } from './spec-augment.ts';

const numCeps = 5;
function batch() {
  const frames = [12, 7];
  return padBatch(
    2,
    (b) => frames[b] as number,
    (b) => Float32Array.from({ length: (frames[b] as number) * numCeps }, () => 1 + b),
    { numCeps, minFrames: 4, maxFrames: 100, padMultiple: 4 },
  );
}

describe('specAugment', () => {
  it('zeroes whole frames and whole coefficient bands inside the real frames only', () => {
    const b = batch();
    specAugment(b, { timeMasks: 1, timeMaskWidth: 4, freqMasks: 1, freqMaskWidth: 2 }, mulberry32(3));
    for (let u = 0; u < 2; u++) {
      const length = b.lengths[u] as number;
      const row = (t: number) =>
        Array.from(b.x.subarray((u * b.frames + t) * numCeps, (u * b.frames + t + 1) * numCeps));
      // padding stays zero
      for (let t = length; t < b.frames; t++) expect(row(t)).toEqual([0, 0, 0, 0, 0]);
      // every real frame is either fully masked or has the same zeroed band as the others
      const rows = Array.from({ length }, (_, t) => row(t));
      const bands = rows.filter((r) => r.some((v) => v !== 0)).map((r) => r.map((v) => v === 0).join());
      expect(new Set(bands).size).toBeLessThanOrEqual(1);
      const masked = rows.filter((r) => r.every((v) => v === 0)).length;
      expect(masked).toBeLessThanOrEqual(4);
    }
  });

  it('is a pure function of the random stream, and `false` leaves the batch untouched', () => {
    const a = batch();
    const b = batch();
    const settings = { timeMasks: 2, timeMaskWidth: 3, freqMasks: 2, freqMaskWidth: 2 };
    specAugment(a, settings, mulberry32(9));
    specAugment(b, settings, mulberry32(9));
    expect(a.x).toEqual(b.x);
    expect(a.x.filter((v) => v === 0).length).toBeGreaterThan(batch().x.filter((v) => v === 0).length);
    const c = batch();
    specAugment(c, false, mulberry32(9));
    expect(c.x).toEqual(batch().x);
  });
});
