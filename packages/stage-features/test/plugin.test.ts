import { describe, expect, it } from 'vitest';
import defaultExport, { plugin } from '../src/index.ts';

describe('plugin', () => {
  it('registers the three stages and the features command', () => {
    expect(defaultExport).toBe(plugin);
    expect(plugin.name).toBe('@serx/stage-features');
    expect(plugin.version).toBe('0.1.0');
    expect(
      plugin.stages.map((s) => [s.name, Object.keys(s.inputs), Object.keys(s.outputs), s.resources?.class]),
    ).toEqual([
      ['features:ingest', [], ['utterances'], 'cpu-heavy'],
      ['features:split', ['utterances'], ['utterances'], 'light'],
      ['features:mfcc', ['utterances'], ['features'], 'cpu-heavy'],
    ]);
    expect(plugin.commands?.map((c) => c.name)).toEqual(['features']);
  });
});
