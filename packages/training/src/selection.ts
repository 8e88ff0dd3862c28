/**
 * Model selection and early stopping over validation scores (higher is better), as pure state
 * transitions so that a checkpoint can store them and a test can replay any history.
 */
export interface SelectionSettings {
  /**
   * Epochs before this one are never kept and do not count towards `patience`. A first epoch that
   * predicts one class (validation UA exactly 1/3 with three classes) would otherwise be kept whenever
   * the next `patience` epochs dip below it, and training would stop there.
   */
  minEpochs: number;
  /** Eligible epochs without a better score before training stops; 0 = never stop early. */
  patience: number;
  /** A score must beat the best by more than this to count as better. */
  minDelta: number;
}

export interface SelectionState {
  best: { epoch: number; score: number; loss: number } | null;
  /** Eligible epochs since the best one. */
  sinceBest: number;
}

/** Scores this close are a tie, broken by the lower validation loss. */
const TIE = 1e-12;

export function initialSelection(): SelectionState {
  return { best: null, sinceBest: 0 };
}

/**
 * The selection after `epoch` scored `score` with validation loss `loss`: whether it is the new best
 * (then the caller keeps its weights) and whether training should stop now.
 */
export function observeEpoch(
  state: SelectionState,
  settings: SelectionSettings,
  epoch: number,
  score: number,
  loss: number,
): { state: SelectionState; improved: boolean; stop: boolean } {
  if (epoch < settings.minEpochs) return { state, improved: false, stop: false };
  const best = state.best;
  const improved =
    best === null ||
    score > best.score + settings.minDelta ||
    (Math.abs(score - best.score) <= TIE && loss < best.loss);
  const next: SelectionState = improved
    ? { best: { epoch, score, loss }, sinceBest: 0 }
    : { best, sinceBest: state.sinceBest + 1 };
  return { state: next, improved, stop: settings.patience > 0 && next.sinceBest >= settings.patience };
}
