import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../structures/registry.ts';
import { modelWeights, readTensors, setModelWeights, writeTensors } from './tensor-files.ts';

/** Everything besides tensors that a resumed run needs to continue exactly. */
export interface CheckpointState {
  /** Identifies the training configuration; a checkpoint of another configuration is ignored. */
  fingerprint: string;
  /** Epochs completed. */
  epoch: number;
  rngState: number;
  history: Record<string, number>[];
  best: { epoch: number; loss: number } | null;
  /** Epochs since the best one (early stopping). */
  badEpochs: number;
}

export interface TrainingTensors {
  models: readonly tfjs.LayersModel[];
  optimizer: tfjs.Optimizer;
  /** Weights of the best epoch so far, in {@link modelWeights} form. */
  best: { name: string; tensor: tfjs.Tensor }[] | null;
}

const DIR = 'checkpoint';

/** Writes a checkpoint into `workDir/checkpoint`, replacing the previous one atomically. */
export async function saveCheckpoint(
  tf: Tf,
  workDir: string,
  state: CheckpointState,
  tensors: TrainingTensors,
): Promise<void> {
  const tmp = join(workDir, `${DIR}.tmp`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await writeTensors(tf, tmp, 'weights', modelWeights(tensors.models));
  await writeTensors(tf, tmp, 'optimizer', await tensors.optimizer.getWeights());
  if (tensors.best) await writeTensors(tf, tmp, 'best', tensors.best);
  await writeFile(join(tmp, 'state.json'), `${JSON.stringify(state)}\n`);
  const final = join(workDir, DIR);
  const old = join(workDir, `${DIR}.old`);
  if (existsSync(final)) await rename(final, old);
  await rename(tmp, final);
  await rm(old, { recursive: true, force: true });
}

/**
 * Restores the last checkpoint of the same configuration into the models and optimizer, and
 * returns its state and best weights; `undefined` when there is none to resume from.
 */
export async function loadCheckpoint(
  tf: Tf,
  workDir: string,
  fingerprint: string,
  target: Omit<TrainingTensors, 'best'>,
): Promise<{ state: CheckpointState; best: TrainingTensors['best'] } | undefined> {
  const dir = [join(workDir, DIR), join(workDir, `${DIR}.old`)].find((d) =>
    existsSync(join(d, 'state.json')),
  );
  if (!dir) return undefined;
  const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as CheckpointState;
  if (state.fingerprint !== fingerprint) return undefined;
  const weights = await readTensors(tf, dir, 'weights');
  setModelWeights(target.models, weights);
  tf.dispose(weights.map((w) => w.tensor));
  await target.optimizer.setWeights(await readTensors(tf, dir, 'optimizer'));
  const best = existsSync(join(dir, 'best.json')) ? await readTensors(tf, dir, 'best') : null;
  return { state, best };
}
