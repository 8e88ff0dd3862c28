import { describe, expect, it } from 'vitest';
import { initialSelection, observeEpoch, type SelectionSettings } from './selection.ts';

/** Replays validation (UA, loss) pairs through selection: the kept epoch and the last epoch run. */
function replay(history: [number, number][], settings: SelectionSettings) {
  let state = initialSelection();
  let last = 0;
  for (const [i, [score, loss]] of history.entries()) {
    const seen = observeEpoch(state, settings, i + 1, score, loss);
    state = seen.state;
    last = i + 1;
    if (seen.stop) break;
  }
  return { kept: state.best?.epoch ?? 0, ran: last };
}

// The trap from issue 11: epoch 1 predicts "negative" for everything (UA exactly 1/3 with three
// classes), the next epochs learn but their validation UA dips just below 1/3 before rising.
const collapsedFirst: [number, number][] = [
  [1 / 3, 1.0986],
  [0.3218, 1.0702],
  [0.3301, 1.0514],
  [0.3125, 1.0433],
  [0.3289, 1.0381],
  [0.3312, 1.0297],
  [0.3907, 1.0121],
  [0.4415, 0.9874],
  [0.4702, 0.9716],
  [0.4521, 0.9802],
];

describe('model selection and early stopping', () => {
  it('the old rule (keep strictly better UA from epoch 1, patience 5) is trapped by a collapsed epoch 1', () => {
    expect(replay(collapsedFirst, { minEpochs: 1, patience: 5, minDelta: 0 })).toEqual({ kept: 1, ran: 6 });
  });

  it('with minEpochs the collapsed epoch 1 is never kept and training goes on to the real best', () => {
    expect(replay(collapsedFirst, { minEpochs: 5, patience: 5, minDelta: 0 })).toEqual({ kept: 9, ran: 10 });
  });

  it('breaks a tie in the score by the lower validation loss', () => {
    const tie: [number, number][] = [
      [1 / 3, 1.0986],
      [1 / 3, 1.02],
      [1 / 3, 1.05],
    ];
    expect(replay(tie, { minEpochs: 1, patience: 5, minDelta: 0 }).kept).toBe(2);
  });

  it('even with minEpochs 1, a later epoch with the same UA and a lower loss replaces the collapsed one', () => {
    const h: [number, number][] = [
      [1 / 3, 1.0986],
      [0.3, 1.08],
      [1 / 3, 1.06],
    ];
    expect(replay(h, { minEpochs: 1, patience: 5, minDelta: 0 }).kept).toBe(3);
  });

  it('stops after `patience` eligible epochs without improvement; patience 0 never stops', () => {
    const falling: [number, number][] = [0.5, 0.4, 0.39, 0.38, 0.37, 0.36].map((s) => [s, 1]);
    expect(replay(falling, { minEpochs: 1, patience: 2, minDelta: 0 })).toEqual({ kept: 1, ran: 3 });
    expect(replay(falling, { minEpochs: 3, patience: 2, minDelta: 0 })).toEqual({ kept: 3, ran: 5 });
    expect(replay(falling, { minEpochs: 1, patience: 0, minDelta: 0 })).toEqual({ kept: 1, ran: 6 });
  });

  it('counts an improvement only above minDelta', () => {
    const small: [number, number][] = [
      [-1.0, 1.0],
      [-0.995, 0.995],
      [-0.9, 0.9],
    ];
    expect(replay(small, { minEpochs: 1, patience: 5, minDelta: 0.01 }).kept).toBe(3);
    expect(replay(small.slice(0, 2), { minEpochs: 1, patience: 5, minDelta: 0.01 }).kept).toBe(1);
  });
});
