import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Json, SerxError } from '@serx/core';
import type { Tf } from '@serx/tf-backend';
import type * as tfjs from '@tensorflow/tfjs';
import type { DropoutRates } from './cnn-lstm.ts';
import { serxDropoutClass } from './dropout.ts';
import { loadModelDir } from './io.ts';
import { serxLstmClass } from './lstm.ts';

/**
 * Layout of a `model` artifact (output of `ser:train` and `ser:finetune`):
 * - `model.json` + `weights.bin`: the CNN-LSTM in the tfjs layers format, inputs `[mfcc, frames]`,
 *   outputs `[probs, embedding]` (custom layers `SerxLSTM`, `SerxDropout`: call {@link loadTrainedModel});
 * - `config.json`: {@link ModelConfig};
 * - `history.json`: the training kit's layout (`@serx/training` `History`, docs/stages.md).
 * Every file is a pure function of the inputs, params and seed (no timings, dates or host names).
 */
export const CONFIG_FILE = 'config.json';
export { HISTORY_FILE } from '@serx/training';

export interface ModelConfig {
  format: 'serx-ser-model/1';
  /** `finetune`: made by `ser:finetune` from the model `initialModel`. */
  strategy: 'scratch' | 'frozen' | 'finetune';
  structure: { name: string; params: { [key: string]: Json } };
  timeStride: number;
  numCeps: number;
  /** Softmax order. */
  classes: string[];
  lstmUnits: number;
  /** Size of the embedding (last hidden layer). */
  hiddenUnits: number;
  dropout: DropoutRates;
  minFrames: number;
  maxFrames: number;
  /** Padded batch lengths are multiples of this (a multiple of `timeStride`). */
  padMultiple: number;
  classWeights: number[] | null;
  seed: number;
  /** Epoch (1-based) whose weights were kept. */
  bestEpoch: number;
  /** The validation score selection maximised (`val_ua_corpus_mean` or `val_ua`). */
  selection: string;
  epochsRun: number;
  trainCorpora: string[];
  counts: { train: number; validation: number; unlabelledSkipped: number };
  /** Hash of the encoder artifact (frozen; for finetune, the initial model's). */
  encoderArtifact: string | null;
  /** Hash of the model artifact `ser:finetune` continued from. */
  initialModel: string | null;
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
  serxDropoutClass(tf);
  return { model: await loadModelDir(tf, dir), config };
}
