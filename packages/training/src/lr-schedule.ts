import type * as tfjs from '@tensorflow/tfjs';

/**
 * Learning-rate schedule: `constant`, or `plateau` (Keras' ReduceLROnPlateau on the validation
 * loss: after `patience` epochs without a lower validation loss, lr ← max(lr × factor, minLr)).
 */
export type LrSchedule =
  | { kind: 'constant' }
  | { kind: 'plateau'; factor: number; patience: number; minLr: number };

export interface LrState {
  lr: number;
  bestLoss: number | null;
  /** Epochs since the validation loss last fell. */
  wait: number;
}

export function initialLr(lr: number): LrState {
  return { lr, bestLoss: null, wait: 0 };
}

/** The learning rate for the next epoch, given this epoch's validation loss. */
export function nextLr(schedule: LrSchedule, state: LrState, valLoss: number): LrState {
  if (schedule.kind === 'constant') return state;
  if (state.bestLoss === null || valLoss < state.bestLoss) return { ...state, bestLoss: valLoss, wait: 0 };
  const wait = state.wait + 1;
  if (wait < schedule.patience) return { ...state, wait };
  return { lr: Math.max(state.lr * schedule.factor, schedule.minLr), bestLoss: state.bestLoss, wait: 0 };
}

/**
 * Sets the step size of a tfjs Adam optimizer. Its `applyGradients` reads `learningRate` at every
 * step, but tfjs declares it protected and has no setter, so changing it in place (keeping the
 * moments) needs this cast.
 */
export function setLearningRate(optimizer: tfjs.AdamOptimizer, lr: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}
