import { beforeAll, describe, expect, it } from 'vitest';
import { tf as loadTf } from '../../test/helpers.ts';
import { resolveClassWeights } from './class-weights.ts';
import { weightedCrossEntropy } from './loss.ts';

let tf: Awaited<ReturnType<typeof loadTf>>;
beforeAll(async () => {
  tf = await loadTf();
});

describe('class weights and loss', () => {
  it('balanced weights are n / (k · n_c), as scikit-learn computes them', () => {
    // 6 utterances: 3 of class 0, 2 of class 1, 1 of class 2.
    expect(resolveClassWeights('balanced', [0, 0, 0, 1, 1, 2], ['a', 'b', 'c'])).toEqual([
      6 / 9,
      6 / 6,
      6 / 3,
    ]);
    expect(resolveClassWeights('none', [0, 1], ['a', 'b'])).toBeNull();
    expect(resolveClassWeights({ b: 3 }, [0, 1], ['a', 'b'])).toEqual([1, 3]);
    expect(() => resolveClassWeights({ happy: 2 }, [0], ['a', 'b'])).toThrowError(
      expect.objectContaining({ code: 'SPEC_PARAMS', message: expect.stringContaining('happy') }),
    );
  });

  it('weighted categorical cross-entropy sums weighted losses over the batch size (Keras reduction)', () => {
    const probs = tf.tensor2d([
      [0.7, 0.2, 0.1],
      [0.25, 0.5, 0.25],
    ]);
    const labels = Int32Array.from([0, 2]);
    const plain = weightedCrossEntropy(tf, probs, labels, null).dataSync()[0];
    expect(plain).toBeCloseTo((-Math.log(0.7) - Math.log(0.25)) / 2, 6);
    const weighted = weightedCrossEntropy(tf, probs, labels, [2, 1, 0.5]).dataSync()[0];
    expect(weighted).toBeCloseTo((-2 * Math.log(0.7) - 0.5 * Math.log(0.25)) / 2, 6);
  });
});
