import { describe, expect, it } from 'vitest';
import { initialLr, nextLr } from './lr-schedule.ts';

describe('learning-rate schedules', () => {
  it('constant keeps the rate', () => {
    let s = initialLr(0.001);
    for (const loss of [1, 1.1, 1.2, 1.3]) s = nextLr({ kind: 'constant' }, s, loss);
    expect(s.lr).toBe(0.001);
  });

  it('plateau halves the rate after `patience` epochs without a lower validation loss, down to minLr', () => {
    const plateau = { kind: 'plateau', factor: 0.5, patience: 2, minLr: 0.0002 } as const;
    let s = initialLr(0.001);
    const lrs: number[] = [];
    for (const loss of [1.0, 0.9, 0.95, 0.92, 0.91, 0.93, 0.8, 0.85, 0.86, 0.87, 0.88]) {
      s = nextLr(plateau, s, loss);
      lrs.push(s.lr);
    }
    expect(lrs).toEqual([
      0.001, 0.001, 0.001, 0.0005, 0.0005, 0.00025, 0.00025, 0.00025, 0.0002, 0.0002, 0.0002,
    ]);
  });
});
