import { mixSeed, mulberry32 } from '@serx/core';
import type * as tfjs from '@tensorflow/tfjs';
import { loadCheckpoint, type NamedTensor, saveCheckpoint } from './checkpoint.ts';
import { type EpochRecord, type EpochValues, HISTORY_FORMAT, type History, type Monitor } from './history.ts';
import { initialLr, type LrSchedule, type LrState, nextLr, setLearningRate } from './lr-schedule.ts';
import { initialSelection, observeEpoch, type SelectionState } from './selection.ts';
import { trainStep } from './step.ts';
import type { Tf } from './tf.ts';

export interface FitSettings {
  epochs: number;
  /** Adam's initial learning rate (the schedule may lower it). */
  learningRate: number;
  lrSchedule: LrSchedule;
  /** Epochs without a better validation score before stopping; 0 = never stop early. */
  patience: number;
  /** Epochs before this are neither kept nor counted for patience (clamped to `epochs`). */
  minEpochs: number;
  /** A validation score must beat the best by more than this. */
  minDelta: number;
  /** L2 coefficient on the kernels among the trainable weights; 0 = off. */
  weightDecay: number;
  /** Global gradient-norm clip; 0 = off. */
  clipNorm: number;
  seed: number;
}

/** What a task's epoch gets from the loop. */
export interface EpochContext {
  epoch: number;
  /** The epoch's seed, `mixSeed(seed, epoch)`: derive further streams from it (e.g. per batch). */
  seed: number;
  /** `mulberry32(seed)` of the epoch: batch order, crops and masks, drawn in a fixed order. */
  random: () => number;
  /** Progress label, e.g. `epoch 3/30, ETA ≤ 2m05s`. */
  label: string;
  /** One Adam step on `loss` (L2 term and clipping added here); returns the loss value. */
  step(loss: () => tfjs.Scalar): number;
  /** Throws the abort reason if the run was aborted: call between batches. */
  checkAborted(): void;
}

/** A validation pass: `score` is maximised by model selection, `loss` breaks ties. */
export interface Validation {
  score: number;
  loss: number;
  values: EpochValues;
}

/** The model side of a training: its weights, one epoch of training, a validation pass. */
export interface FitTask {
  /** Every weight of the model(s) in a fixed order: checkpointed, and the best epoch's restored. */
  weights: tfjs.LayerVariable[];
  /** The weights the optimizer updates (a subset of `weights`, e.g. without a frozen encoder). */
  trainable: tfjs.LayerVariable[];
  /** What `validate().score` is, for `history.json` (a `min` key's score is its negation). */
  monitor: Monitor;
  trainEpoch(ctx: EpochContext): EpochValues;
  validate(): Validation;
}

export interface FitRun {
  tf: Tf;
  task: FitTask;
  settings: FitSettings;
  /** Validate the starting weights first (a run that continues a trained model): `history.start`. */
  validateStart?: boolean;
  /** Checkpoints go here after every epoch; without it nothing is saved or resumed. */
  workDir?: string;
  /** Identifies the configuration: a checkpoint with another fingerprint is not resumed. */
  fingerprint: string;
  signal?: AbortSignal;
  onResume?(epoch: number): void;
  /** After each epoch, with its wall-clock seconds (for logs and metrics, never for outputs). */
  onEpoch?(record: EpochRecord, seconds: number): void;
}

export interface FitResult {
  history: History;
  /** Epoch a checkpoint was resumed after, or null. */
  resumedAfter: number | null;
}

interface LoopState {
  fingerprint: string;
  epoch: number;
  stopped: boolean;
  selection: SelectionState;
  lr: LrState;
  start: EpochValues | null;
  epochs: EpochRecord[];
}

/**
 * The epoch loop of every serx training: Adam, per-epoch seeded streams (so a resumed run replays
 * exactly what an uninterrupted one would), validation after each epoch, model selection with
 * early stopping, an LR schedule, a checkpoint per epoch. On return the weights are the best
 * epoch's.
 */
export async function fit(run: FitRun): Promise<FitResult> {
  const { tf, task, settings } = run;
  const minEpochs = Math.min(Math.max(1, settings.minEpochs), settings.epochs);
  const selectionSettings = { minEpochs, patience: settings.patience, minDelta: settings.minDelta };
  const checkAborted = () => {
    if (run.signal?.aborted) throw run.signal.reason;
  };
  const checkpoint = run.workDir ? await loadCheckpoint<LoopState>(tf, run.workDir, run.fingerprint) : null;
  let state: LoopState = {
    fingerprint: run.fingerprint,
    epoch: 0,
    stopped: false,
    selection: initialSelection(),
    lr: initialLr(settings.learningRate),
    start: null,
    epochs: [],
  };
  let best: NamedTensor[] | null = null;
  const optimizer = tf.train.adam(settings.learningRate);
  const variables = task.trainable.map((w) => w.read() as tfjs.Variable);
  if (checkpoint) {
    state = checkpoint.state;
    writeInto(task.weights, checkpoint.weights);
    tf.dispose(checkpoint.weights.map((t) => t.tensor));
    if (checkpoint.optimizer.length > 0) await optimizer.setWeights(checkpoint.optimizer);
    best = checkpoint.best;
    run.onResume?.(state.epoch);
  } else if (run.validateStart) {
    state.start = task.validate().values;
  }
  const resumedAfter = checkpoint ? state.epoch : null;
  const decayed = task.trainable
    .filter((w) => /kernel$/.test(w.originalName))
    .map((w) => w.read() as tfjs.Variable);
  const stepSettings = { weightDecay: settings.weightDecay, decayed, clipNorm: settings.clipNorm };
  const eta = etaOf(settings.epochs);

  while (state.epoch < settings.epochs && !state.stopped) {
    checkAborted();
    const started = performance.now();
    const epoch = state.epoch + 1;
    const seed = mixSeed(settings.seed, epoch);
    setLearningRate(optimizer, state.lr.lr);
    const trained = task.trainEpoch({
      epoch,
      seed,
      random: mulberry32(seed),
      label: `epoch ${epoch}/${settings.epochs}${eta.label(epoch - 1)}`,
      step: (loss) => trainStep(tf, optimizer, variables, loss, stepSettings),
      checkAborted,
    });
    const validation = task.validate();
    const record: EpochRecord = { epoch, lr: state.lr.lr, ...trained, ...validation.values };
    const seen = observeEpoch(state.selection, selectionSettings, epoch, validation.score, validation.loss);
    if (seen.improved) {
      if (best) tf.dispose(best.map((t) => t.tensor));
      best = task.weights.map((w, i) => ({ name: String(i), tensor: tf.keep(w.read().clone()) }));
    }
    state = {
      ...state,
      epoch,
      stopped: seen.stop,
      selection: seen.state,
      lr: nextLr(settings.lrSchedule, state.lr, validation.loss),
      epochs: [...state.epochs, record],
    };
    if (run.workDir) {
      await saveCheckpoint(tf, run.workDir, {
        state,
        weights: task.weights.map((w, i) => ({ name: String(i), tensor: w.read() })),
        optimizer: await optimizer.getWeights(),
        best,
      });
    }
    const seconds = (performance.now() - started) / 1000;
    eta.epochDone(seconds);
    run.onEpoch?.(record, seconds);
    checkAborted();
  }
  if (best) {
    writeInto(task.weights, best);
    tf.dispose(best.map((t) => t.tensor));
  }
  optimizer.dispose();
  const history: History = {
    format: HISTORY_FORMAT,
    monitor: task.monitor,
    bestEpoch: state.selection.best?.epoch ?? 0,
    stoppedEarly: state.epoch < settings.epochs,
    ...(state.start ? { start: state.start } : {}),
    epochs: state.epochs,
  };
  return { history, resumedAfter };
}

function writeInto(weights: tfjs.LayerVariable[], saved: NamedTensor[]): void {
  if (saved.length !== weights.length)
    throw new Error(`checkpoint holds ${saved.length} weights, the model has ${weights.length}`);
  weights.forEach((w, i) => {
    w.write((saved[i] as NamedTensor).tensor);
  });
}

/** ETA of the remaining epochs from the mean epoch time (an upper bound: early stopping may end sooner). */
function etaOf(epochs: number) {
  let timed = 0;
  let total = 0;
  return {
    epochDone(seconds: number) {
      timed += 1;
      total += seconds;
    },
    label(done: number): string {
      if (timed === 0 || done >= epochs) return '';
      return `, ETA ≤ ${formatDuration((total / timed) * (epochs - done))}`;
    },
  };
}

/** `45s`, `2m05s`: rounded to whole seconds before splitting (never `1m60s`). */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
