import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getCorpusReader } from '../src/corpora/index.ts';
import { etaLogger } from '../src/stages/eta.ts';
import { subset } from '../src/stages/subset.ts';
import { CORPORA, countBy } from './helpers.ts';

describe('smoke subsets', () => {
  it('perClass spreads over speakers, perSpeaker over labels, limit over speakers; reader order kept', async () => {
    const { utterances } = await getCorpusReader('tess').read(join(CORPORA, 'tess'), 'tess', {});
    const perClass = subset(utterances, { perClass: 2 });
    expect(perClass).toHaveLength(14);
    expect(countBy(perClass, (u) => u.speaker)).toEqual({ OAF: 7, YAF: 7 });
    expect(Object.values(countBy(perClass, (u) => u.label))).toEqual([2, 2, 2, 2, 2, 2, 2]);
    const order = perClass.map((u) => utterances.indexOf(u));
    expect(order).toEqual([...order].sort((a, b) => a - b));

    const emodb = (await getCorpusReader('emodb').read(join(CORPORA, 'emodb'), 'emodb', {})).utterances;
    const perSpeaker = subset(emodb, { perSpeaker: 3 });
    expect(perSpeaker.filter((u) => u.speaker === '03').map((u) => u.label)).toEqual([
      'happiness',
      'neutral',
      'anger',
    ]);
    const limited = subset(emodb, { limit: 5 });
    expect(limited.map((u) => u.speaker)).toEqual(['03', '08', '09', '10', '11']);
    expect(subset(emodb, { perSpeaker: 3, limit: 4 })).toHaveLength(4);
  });

  it('ETA log lines are throttled and end with the elapsed time', () => {
    const lines: string[] = [];
    const log = { debug() {}, info: (m: string) => lines.push(m), warn() {} };
    const report = etaLogger(log, 'mfcc', 3, 60_000);
    report(1);
    report(2);
    report(3);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^mfcc: 3\/3 \([\d.]+\/s, [\d.]+ s\)$/);
    const eager = etaLogger(log, 'probe', 4, 0);
    eager(1);
    expect(lines[1]).toMatch(/^probe: 1\/4 \([\d.]+\/s, ETA \d+ s\)$/);
  });
});
