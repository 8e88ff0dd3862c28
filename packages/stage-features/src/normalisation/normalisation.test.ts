import { describe, expect, it } from 'vitest';
import { applyMeanStd } from './apply.ts';
import { StatisticsCollector } from './collector.ts';
import { normaliseMode } from './mode.ts';
import { addFrames, emptyMoments, meanStd, poolMoments } from './moments.ts';
import { resolveNormaliser } from './normaliser.ts';

// Two coefficients; frames as [c0, c1] pairs.
const frames = (...rows: [number, number][]) => Float32Array.from(rows.flat());

describe('moments', () => {
  it('mean and population std per coefficient, pooled exactly across parts', () => {
    const a = emptyMoments(2);
    addFrames(a, frames([1, 10], [3, 10]), 2);
    const b = emptyMoments(2);
    addFrames(b, frames([5, 20], [7, 20], [9, 20]), 2);
    expect(meanStd(a)).toEqual({ frames: 2, mean: [2, 10], std: [1, 0] });
    // c0 over 1,3,5,7,9: mean 5, variance (16+4+0+4+16)/5 = 8; c1 over 10,10,20,20,20: mean 16, variance 24.
    const pooled = meanStd(poolMoments([a, b], 2));
    expect(pooled.frames).toBe(5);
    expect(pooled.mean).toEqual([5, 16]);
    expect(pooled.std[0]).toBeCloseTo(Math.sqrt(8), 12);
    expect(pooled.std[1]).toBeCloseTo(Math.sqrt(24), 12);
  });

  it('applyMeanStd z-normalises, and only centres a constant coefficient', () => {
    const out = applyMeanStd(
      { data: frames([4, 10], [0, 10]), frames: 2, dims: 2 },
      { frames: 2, mean: [2, 10], std: [2, 0] },
    );
    expect(Array.from(out.data)).toEqual([1, 0, -1, 0]);
  });

  it('true/false keep meaning utterance/none', () => {
    expect([true, false, undefined, 'speaker' as const].map(normaliseMode)).toEqual([
      'utterance',
      'none',
      'utterance',
      'speaker',
    ]);
  });
});

describe('resolveNormaliser', () => {
  const collected = () => {
    const c = new StatisticsCollector(2);
    c.add({ speaker: 'a', split: 'train' }, frames([0, 0], [2, 4]));
    c.add({ speaker: 'b', split: 'test' }, frames([10, 10], [12, 12]));
    return c;
  };
  const base = { corpus: 'x', stageId: 'mfcc_x', inputs: [] };

  it('corpus/train uses the train rows only; speaker uses each speaker', () => {
    const c = collected();
    const corpus = resolveNormaliser({ ...base, mode: 'corpus', statsFrom: 'train', collected: c });
    expect(corpus.statsFor({ speaker: 'b' })).toEqual({ frames: 2, mean: [1, 2], std: [1, 2] });
    const speaker = resolveNormaliser({ ...base, mode: 'speaker', statsFrom: 'train', collected: c });
    expect(speaker.statsFor({ speaker: 'b' })).toEqual({ frames: 2, mean: [11, 11], std: [1, 1] });
  });

  it('refuses own on a corpus with train rows, and train on a corpus without', () => {
    expect(() =>
      resolveNormaliser({ ...base, mode: 'corpus', statsFrom: 'own', collected: collected() }),
    ).toThrow(/statsFrom: own would normalise train rows/);
    const allTest = new StatisticsCollector(2);
    allTest.add({ speaker: 'b', split: 'test' }, frames([1, 1]));
    expect(() =>
      resolveNormaliser({ ...base, mode: 'corpus', statsFrom: 'train', collected: allTest }),
    ).toThrow(/no train rows .* statsFrom: own .* statsFrom: training-corpora/);
    expect(
      resolveNormaliser({ ...base, mode: 'corpus', statsFrom: 'own', collected: allTest }).statsFor({
        speaker: 'b',
      }).mean,
    ).toEqual([1, 1]);
  });

  it('training-corpora pools the wired statistics, and needs at least one with train frames', () => {
    const allTest = new StatisticsCollector(2);
    allTest.add({ speaker: 't', split: 'test' }, frames([100, 100]));
    const other = collected().train;
    const n = resolveNormaliser({
      ...base,
      mode: 'corpus',
      statsFrom: 'training-corpora',
      collected: allTest,
      inputs: [
        { corpus: 'y', moments: other },
        { corpus: 'z', moments: emptyMoments(2) },
      ],
    });
    expect(n.statsFor({ speaker: 't' })).toEqual({ frames: 2, mean: [1, 2], std: [1, 2] });
    expect(n.describe).toMatchObject({ from: ['y'] });
    expect(() =>
      resolveNormaliser({ ...base, mode: 'corpus', statsFrom: 'training-corpora', collected: allTest }),
    ).toThrow(/needs the statistics input wired/);
  });
});
