import type { Logger, MetricsSink, ProgressReporter, Tfjs as Tf } from '@serx/core';
import { mulberry32 as createRng, mixSeed } from '@serx/core';
import type * as tfjs from '@tensorflow/tfjs';
import { assembleBatch, type BatchOptions, type Example, planEpoch } from '../data/batches.ts';
import { confusionMatrix, unweightedAccuracy, weightedAccuracy } from '../metrics.ts';
import { encoderOf } from '../model/cnn-lstm.ts';
import { loadCheckpoint, type SavedTensor, saveCheckpoint } from './checkpoint.ts';
import { argMaxRows, batchInputs, evaluate } from './evaluate.ts';
import { weightedCrossEntropy } from './loss.ts';
import { eta, report } from './report.ts';
import { savedOptimizer, setWeights, snapshot, toTensor } from './weights.ts';

/** A training phase: `frozen` is one phase with a frozen encoder, `finetune` adds an unfrozen one. */
export interface Phase {
  name: 'train' | 'finetune';
  encoderTrainable: boolean;
  learningRate: number;
  epochs: number;
}

export interface TrainSettings {
  phases: Phase[];
  batchSize: number;
  /** Epochs without a better validation UA before a phase stops; 0 disables early stopping. */
  patience: number;
  classWeights: number[] | null;
  batch: BatchOptions;
  poolBatches: number;
}

export interface EpochRecord {
  epoch: number;
  phase: string;
  loss: number;
  /** Running UA / WA over the epoch's training batches (weights change during the epoch). */
  trainUa: number;
  trainWa: number;
  valLoss: number;
  valUa: number;
  valWa: number;
  seconds: number;
}

export interface TrainHooks {
  log: Logger;
  progress: ProgressReporter;
  metrics: MetricsSink;
  signal: AbortSignal;
}

export interface TrainOutcome {
  history: EpochRecord[];
  /** Epoch (1-based, counted over all phases) whose weights the model now holds. */
  bestEpoch: number;
  bestValUa: number;
  /** Epoch a killed run resumed after, or null. */
  resumedAfter: number | null;
}

interface LoopState {
  fingerprint: string;
  phase: number;
  phaseEpoch: number;
  epoch: number;
  best: { epoch: number; valUa: number } | null;
  sinceBest: number;
  history: EpochRecord[];
}

export interface TrainArgs {
  tf: Tf;
  model: tfjs.LayersModel;
  train: readonly Example[];
  validation: readonly Example[];
  numClasses: number;
  settings: TrainSettings;
  seed: number;
  /** Checkpoints live here; a checkpoint with another fingerprint is ignored. */
  workDir: string;
  fingerprint: string;
  hooks: TrainHooks;
}

/**
 * Trains `model` phase by phase with Adam, selecting on validation UA; checkpoints after every epoch
 * and resumes from the last checkpoint of the same fingerprint. Batch order and crops of epoch `e`
 * derive from (seed, e) only, so a resumed run replays exactly what an uninterrupted one would.
 * On return the model holds the weights of the best epoch, all layers trainable again (so that
 * `model.weights`, and the saved `weights.bin`, list the encoder's weights first).
 */
export async function trainLoop(args: TrainArgs): Promise<TrainOutcome> {
  const { tf, model, settings, hooks } = args;
  let checkpoint = await loadCheckpoint<LoopState>(args.workDir);
  if (checkpoint && checkpoint.state.fingerprint !== args.fingerprint) {
    hooks.log.warn('ignoring a checkpoint of another training configuration');
    checkpoint = null;
  }
  const state: LoopState = checkpoint?.state ?? {
    fingerprint: args.fingerprint,
    phase: 0,
    phaseEpoch: 0,
    epoch: 0,
    best: null,
    sinceBest: 0,
    history: [],
  };
  let bestWeights: SavedTensor[] | null = checkpoint?.best ?? null;
  const resumedAfter = checkpoint ? state.epoch : null;
  // The order of model.weights depends on which layers are trainable: fix it once, all trainable.
  encoderOf(model).trainable = true;
  const variables = [...model.weights];
  if (checkpoint) {
    setWeights(tf, variables, checkpoint.model);
    hooks.log.info(`resuming after epoch ${state.epoch} from a checkpoint`);
  }
  const lengths = args.train.map((e) => e.row.frames);
  const maxEpochs = settings.phases.reduce((n, p) => n + p.epochs, 0);

  for (let p = state.phase; p < settings.phases.length; p++) {
    const phase = settings.phases[p] as Phase;
    if (p !== state.phase) {
      Object.assign(state, { phase: p, phaseEpoch: 0, sinceBest: 0 });
      if (bestWeights) setWeights(tf, variables, bestWeights);
    }
    encoderOf(model).trainable = phase.encoderTrainable;
    const optimizer = tf.train.adam(phase.learningRate);
    if (checkpoint && checkpoint.optimizer.length > 0) {
      await optimizer.setWeights(
        checkpoint.optimizer.map((t) => ({ name: t.name, tensor: toTensor(tf, t) })),
      );
    }
    checkpoint = null;
    const varList = model.trainableWeights.map((w) => w.read() as tfjs.Variable);
    const stopped = () => settings.patience > 0 && state.sinceBest >= settings.patience;
    while (state.phaseEpoch < phase.epochs && !stopped()) {
      const started = performance.now();
      const epoch = state.epoch + 1;
      const label = `epoch ${epoch} (${phase.name} ${state.phaseEpoch + 1}/${phase.epochs})${eta(state.history, maxEpochs - state.epoch)}`;
      const fit = trainEpoch(args, optimizer, varList, lengths, epoch, label);
      const val = evaluate(
        tf,
        model,
        args.validation,
        args.numClasses,
        settings.batchSize,
        settings.batch,
        settings.classWeights,
      );
      const record: EpochRecord = {
        epoch,
        phase: phase.name,
        ...fit,
        valLoss: val.loss,
        valUa: val.ua,
        valWa: val.wa,
        seconds: (performance.now() - started) / 1000,
      };
      state.history.push(record);
      report(hooks, record);
      if (!state.best || val.ua > state.best.valUa) {
        state.best = { epoch, valUa: val.ua };
        bestWeights = snapshot(variables.map((v) => v.read()));
        state.sinceBest = 0;
      } else {
        state.sinceBest += 1;
      }
      state.epoch = epoch;
      state.phaseEpoch += 1;
      await saveCheckpoint(args.workDir, epoch, {
        state,
        model: snapshot(variables.map((v) => v.read())),
        optimizer: await savedOptimizer(optimizer),
        best: bestWeights,
      });
      if (hooks.signal.aborted) throw hooks.signal.reason;
    }
    optimizer.dispose();
  }
  if (bestWeights) setWeights(tf, variables, bestWeights);
  encoderOf(model).trainable = true;
  return {
    history: state.history,
    bestEpoch: state.best?.epoch ?? 0,
    bestValUa: state.best?.valUa ?? Number.NaN,
    resumedAfter,
  };
}

function trainEpoch(
  args: TrainArgs,
  optimizer: tfjs.Optimizer,
  varList: tfjs.Variable[],
  lengths: number[],
  epoch: number,
  label: string,
): Pick<EpochRecord, 'loss' | 'trainUa' | 'trainWa'> {
  const { tf, model, settings, hooks } = args;
  const plan = planEpoch(
    lengths,
    settings.batchSize,
    createRng(mixSeed(args.seed, epoch)),
    settings.poolBatches,
  );
  const cropRng = createRng(mixSeed(args.seed ^ 0x5bd1e995, epoch));
  hooks.progress.total(plan.length, label);
  const truth: number[] = [];
  const pred: number[] = [];
  let lossSum = 0;
  for (const members of plan) {
    if (hooks.signal.aborted) throw hooks.signal.reason;
    const batch = assembleBatch(args.train, members, { ...settings.batch, cropRng });
    const inputs = batchInputs(tf, batch, settings.batch.numCeps);
    let probs: tfjs.Tensor | undefined;
    const cost = optimizer.minimize(
      () => {
        const [p] = model.apply(inputs, { training: true }) as tfjs.Tensor[];
        probs = tf.keep(p as tfjs.Tensor);
        return weightedCrossEntropy(tf, p as tfjs.Tensor, batch.labels, settings.classWeights);
      },
      true,
      varList,
    );
    lossSum += (cost?.dataSync()[0] as number) * batch.size;
    truth.push(...batch.labels);
    pred.push(...argMaxRows(probs?.dataSync() as Float32Array, args.numClasses));
    tf.dispose([cost as tfjs.Tensor, probs as tfjs.Tensor, ...inputs]);
    hooks.progress.tick();
  }
  const confusion = confusionMatrix(truth, pred, args.numClasses);
  return {
    loss: lossSum / truth.length,
    trainUa: unweightedAccuracy(confusion),
    trainWa: weightedAccuracy(confusion),
  };
}
