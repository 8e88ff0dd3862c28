import { mulberry32 } from '@serx/core';
import { describe, expect, it } from 'vitest';
import { lcm, padBatch, planEpoch, planEvaluation } from './batching.ts';

describe('length-bucket batching', () => {
  const lengths = [50, 10, 40, 20, 30, 60, 15, 35];

  it('plans every index once per epoch, batches of similar length within a pool, seeded', () => {
    const plan = planEpoch([0, 1, 2, 3, 4, 5, 6, 7], lengths, 2, mulberry32(1), 4);
    expect(plan.flat().sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // one pool (2 × 4 ≥ 8): batches are consecutive runs of the length-sorted order
    const sorted = [1, 6, 3, 4, 7, 2, 0, 5];
    for (const b of plan) expect(Math.abs(sorted.indexOf(b[0]!) - sorted.indexOf(b[1]!))).toBe(1);
    expect(planEpoch([0, 1, 2, 3, 4, 5, 6, 7], lengths, 2, mulberry32(1), 4)).toEqual(plan);
    expect(planEpoch([0, 1, 2, 3, 4, 5, 6, 7], lengths, 2, mulberry32(2), 4)).not.toEqual(plan);
  });

  it('plans evaluation batches sorted by length', () => {
    expect(planEvaluation([0, 2, 4, 6], lengths, 3)).toEqual([[6, 4, 2], [0]]);
  });

  it('pads to the longest (at least minFrames) rounded up to the multiple, and crops long ones', () => {
    const frames = [3, 9];
    const b = padBatch(
      2,
      (i) => frames[i]!,
      (i) => Float32Array.from({ length: frames[i]! * 2 }, (_, k) => 100 * i + k),
      { numCeps: 2, minFrames: 4, maxFrames: 6, padMultiple: 4 },
    );
    expect(b.frames).toBe(8);
    expect(Array.from(b.lengths)).toEqual([3, 6]);
    expect(Array.from(b.x.subarray(0, 16))).toEqual([0, 1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(b.x.subarray(16, 28))).toEqual([
      100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
    ]);
    expect(lcm(4, 6)).toBe(12);
  });
});
