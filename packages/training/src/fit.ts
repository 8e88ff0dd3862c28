import { mixSeed, mulberry32, SerxError } from '@serx/core';
import type * as tfjs from '@tensorflow/tfjs';
import { createAdam } from './adam.ts';
import { restoreAdamState, saveAdamState } from './adam-state.ts';
import { loadCheckpoint, type NamedTensor, saveCheckpoint } from './checkpoint.ts';
import type { trainingFingerprint } from './fingerprint.ts';
import { type EpochRecord, type EpochValues, HISTORY_FORMAT, type History, type Monitor } from './history.ts';
import { initialLr, type LrSchedule, type LrState, nextLr, setLearningRate } from './lr-schedule.ts';
import { formatSeconds } from './report.ts';
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
  /** L2 coefficient on the trainable weights named in `weightDecayOn`; 0 = off. */
  weightDecay: number;
  /**
   * Which weights the L2 term covers, by the last part of their name (`conv2d_1/kernel` →
   * `kernel`, an LSTM's `recurrent_kernel`, `bias`); [] = none. Every name must name a weight of
   * the task, else `SPEC_PARAMS`.
   */
  weightDecayOn: readonly string[];
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

/** One training for {@link fit}: the task, its settings, where checkpoints go, the caller's hooks. */
export interface FitOptions {
  tf: Tf;
  task: FitTask;
  settings: FitSettings;
  /** Validate the starting weights first (a run that continues a trained model): `history.start`. */
  validateStart?: boolean;
  /**
   * A checkpoint goes into `workDir` after every epoch; a run finding one there with the same
   * `fingerprint` ({@link trainingFingerprint} of its configuration) resumes after its epoch.
   * Without it nothing is saved or resumed.
   */
  checkpoint?: { workDir: string; fingerprint: string };
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
 * epoch's. Whether it returns or throws (an abort), the optimizer and the best-weights copy are
 * released: the tensors alive afterwards are the ones alive before.
 */
export async function fit(options: FitOptions): Promise<FitResult> {
  const { tf, task, settings } = options;
  const minEpochs = Math.min(Math.max(1, settings.minEpochs), settings.epochs);
  const selectionSettings = { minEpochs, patience: settings.patience, minDelta: settings.minDelta };
  const checkAborted = () => {
    if (options.signal?.aborted) throw options.signal.reason;
  };
  const decayed = weightsUnderDecay(task, settings.weightDecayOn).map((w) => w.read() as tfjs.Variable);
  const saved = options.checkpoint;
  const checkpoint = saved ? await loadCheckpoint<LoopState>(tf, saved.workDir, saved.fingerprint) : null;
  let state: LoopState = {
    fingerprint: saved?.fingerprint ?? '',
    epoch: 0,
    stopped: false,
    selection: initialSelection(),
    lr: initialLr(settings.learningRate),
    start: null,
    epochs: [],
  };
  let best: NamedTensor[] | null = null;
  const optimizer = createAdam(tf, settings.learningRate);
  try {
    const variables = task.trainable.map((w) => w.read() as tfjs.Variable);
    if (checkpoint) {
      state = checkpoint.state;
      best = checkpoint.best;
      try {
        writeInto(task.weights, checkpoint.weights);
        if (checkpoint.optimizer.length > 0) await restoreAdamState(optimizer, checkpoint.optimizer);
      } finally {
        tf.dispose([...checkpoint.weights, ...checkpoint.optimizer].map((t) => t.tensor));
      }
      options.onResume?.(state.epoch);
    } else if (options.validateStart) {
      state.start = task.validate().values;
    }
    const resumedAfter = checkpoint ? state.epoch : null;
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
        const previous = best;
        best = task.weights.map((w, i) => ({ name: String(i), tensor: tf.keep(w.read().clone()) }));
        if (previous) tf.dispose(previous.map((t) => t.tensor));
      }
      state = {
        ...state,
        epoch,
        stopped: seen.stop,
        selection: seen.state,
        lr: nextLr(settings.lrSchedule, state.lr, validation.loss),
        epochs: [...state.epochs, record],
      };
      if (saved) {
        const adam = await saveAdamState(tf, optimizer);
        try {
          await saveCheckpoint(tf, saved.workDir, {
            state,
            weights: task.weights.map((w, i) => ({ name: String(i), tensor: w.read() })),
            optimizer: adam.tensors,
            best,
          });
        } finally {
          tf.dispose(adam.owned);
        }
      }
      const seconds = (performance.now() - started) / 1000;
      eta.epochDone(seconds);
      options.onEpoch?.(record, seconds);
      checkAborted();
    }
    if (best) writeInto(task.weights, best);
    const history: History = {
      format: HISTORY_FORMAT,
      monitor: task.monitor,
      bestEpoch: state.selection.best?.epoch ?? 0,
      stoppedEarly: state.epoch < settings.epochs,
      ...(state.start ? { start: state.start } : {}),
      epochs: state.epochs,
    };
    return { history, resumedAfter };
  } finally {
    if (best) tf.dispose(best.map((t) => t.tensor));
    optimizer.dispose();
  }
}

/**
 * The trainable weights `weightDecayOn` selects, by the last part of their name; a name that no
 * weight of the task has (trainable or not) is a `SPEC_PARAMS` error naming the ones it has.
 */
export function weightsUnderDecay(
  task: Pick<FitTask, 'weights' | 'trainable'>,
  names: readonly string[],
): tfjs.LayerVariable[] {
  const last = (w: tfjs.LayerVariable) => w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
  const present = new Set(task.weights.map(last));
  const unknown = names.filter((n) => !present.has(n));
  if (unknown.length > 0) {
    throw new SerxError(
      'SPEC_PARAMS',
      `weightDecayOn: ${unknown.map((n) => `'${n}'`).join(', ')} names no weight of the model (its weights: ${[...present].sort().join(', ')})`,
    );
  }
  const wanted = new Set(names);
  return task.trainable.filter((w) => wanted.has(last(w)));
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
      return `, ETA ≤ ${formatSeconds((total / timed) * (epochs - done))}`;
    },
  };
}
