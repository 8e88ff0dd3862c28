import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, type Json, SerxError } from '@serx/core';
import type * as tfjs from '@tensorflow/tfjs';
import { type BuiltStructure, buildStructure } from './structures/build.ts';
import type { Tf } from './structures/registry.ts';
import { loadWeightsInto, saveModel } from './training/model-files.ts';

/**
 * Layout of an `encoder` artifact directory:
 * - `model.json` + `weights.bin`: the trained encoder (tfjs layers-model format);
 * - `decoder/model.json` + `decoder/weights.bin`: the matching decoder;
 * - `structure.json`: {@link EncoderStructureFile};
 * - `history.json`: the training curves (one record per epoch) and the chosen epoch.
 */
export const STRUCTURE_FILE = 'structure.json';
export const HISTORY_FILE = 'history.json';
export const DECODER_DIR = 'decoder';

/** `structure.json`: how to rebuild the encoder (every param default filled in). */
export interface EncoderStructureFile {
  name: string;
  params: { [key: string]: Json };
  numCeps: number;
  /** Input frames per bottleneck step. */
  timeStride: number;
  /** Width of the bottleneck sequence. */
  units: number;
}

export async function writeEncoderArtifact(
  tf: Tf,
  dir: string,
  built: BuiltStructure,
  numCeps: number,
  history: Json,
): Promise<EncoderStructureFile> {
  const structure: EncoderStructureFile = {
    ...built.ref,
    numCeps,
    timeStride: built.timeStride,
    units: built.units,
  };
  await saveModel(tf, built.encoder, dir);
  if (built.decoder) await saveModel(tf, built.decoder, join(dir, DECODER_DIR));
  await writeFile(join(dir, STRUCTURE_FILE), `${JSON.stringify(structure, null, 2)}\n`);
  await writeFile(join(dir, HISTORY_FILE), `${JSON.stringify(history, null, 2)}\n`);
  return structure;
}

export interface LoadedEncoder {
  encoder: tfjs.LayersModel;
  /** Only with `{ decoder: true }`. */
  decoder: tfjs.LayersModel | undefined;
  structure: EncoderStructureFile;
}

/**
 * Rebuilds the encoder of an `encoder` artifact from its registered structure and loads the
 * trained weights (the structure's plugin must be loaded). Used by `ser:train` for the
 * `frozen` / `finetune` strategies; set `encoder.trainable = false` to freeze it.
 *
 * @example
 * ```ts
 * const { encoder, structure } = await loadEncoder(tf, artifact.path);
 * encoder.trainable = false;
 * const steps = encoder.apply(mfccInput); // [batch, ceil(frames / structure.timeStride), structure.units]
 * ```
 */
export async function loadEncoder(
  tf: Tf,
  dir: string,
  options: { decoder?: boolean } = {},
): Promise<LoadedEncoder> {
  const file = join(dir, STRUCTURE_FILE);
  let structure: EncoderStructureFile;
  try {
    structure = JSON.parse(await readFile(file, 'utf8')) as EncoderStructureFile;
  } catch (cause) {
    throw new SerxError(
      ErrorCodes.INPUT_DATA,
      `${file}: not an encoder artifact (missing or unreadable structure.json)`,
      { cause },
    );
  }
  const built = buildStructure(tf, structure, {
    numCeps: structure.numCeps,
    seed: 0,
    decoder: options.decoder === true,
  });
  await loadWeightsInto(tf, built.encoder, dir);
  if (built.decoder) await loadWeightsInto(tf, built.decoder, join(dir, DECODER_DIR));
  return { encoder: built.encoder, decoder: built.decoder, structure };
}
