import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../src/cli/display/format.ts';

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [999.4, '999ms'],
    [999.6, '1.0s'],
    [12_340, '12.3s'],
    [59_940, '59.9s'],
    [59_960, '1m00s'],
    [65_000, '1m05s'],
    [119_600, '2m00s'],
    [3_599_400, '59m59s'],
    [3_599_600, '1h00m'],
    [4_020_000, '1h07m'],
    [7_199_000, '2h00m'],
  ])('%d ms is %s (never 60 in a seconds or minutes field)', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
