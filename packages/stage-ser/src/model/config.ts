import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Json, SerxError, type Tfjs as Tf } from '@serx/core';
import type * as tfjs from '@tensorflow/tfjs';
import { loadModelDir } from './io.ts';
import { serxLstmClass } from './lstm.ts';

/**
 * Layout of a `model` artifact (output of `ser:train`):
 * - `model.json` + `weights.bin`: the CNN-LSTM in the tfjs layers format, inputs `[mfcc, frames]`,
 *   outputs `[probs, embedding]` (custom layer `SerxLSTM`: call {@link loadTrainedModel});
 * - `config.json`: {@link ModelConfig};
 * - `history.json`: `{ bestEpoch, epochs: EpochRecord[] }`.
 */
export const CONFIG_FILE = 'config.json';
export const HISTORY_FILE = 'history.json';

export interface ModelConfig {
  format: 'serx-ser-model/1';
  strategy: 'scratch' | 'frozen' | 'finetune';
  structure: { name: string; params: { [key: string]: Json } };
  timeStride: number;
  numCeps: number;
  /** Softmax order. */
  classes: string[];
  lstmUnits: number;
  /** Size of the embedding (last hidden layer). */
  hiddenUnits: number;
  minFrames: number;
  maxFrames: number;
  /** Padded batch lengths are multiples of this (a multiple of `timeStride`). */
  padMultiple: number;
  classWeights: number[] | null;
  seed: number;
  /** Epoch (1-based over all phases) whose weights were kept. */
  bestEpoch: number;
  bestValUa: number;
  epochsRun: number;
  trainCorpora: string[];
  counts: { train: number; validation: number; unlabelledSkipped: number };
  /** Hash of the encoder artifact (frozen / finetune). */
  encoderArtifact: string | null;
  backend: string;
}

/** Loads a `ser:train` model artifact: the tfjs model and its config. */
export async function loadTrainedModel(
  tf: Tf,
  dir: string,
): Promise<{ model: tfjs.LayersModel; config: ModelConfig }> {
  const file = join(dir, CONFIG_FILE);
  let config: ModelConfig;
  try {
    config = JSON.parse(await readFile(file, 'utf8')) as ModelConfig;
  } catch (cause) {
    throw new SerxError('INPUT_DATA', `${file}: not a ser:train model (missing or unreadable config.json)`, {
      cause,
    });
  }
  if (config.format !== 'serx-ser-model/1') {
    throw new SerxError('INPUT_DATA', `${file}: format '${config.format}', expected 'serx-ser-model/1'`);
  }
  serxLstmClass(tf);
  return { model: await loadModelDir(tf, dir), config };
}
