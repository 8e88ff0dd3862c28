import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, SerxError } from '@serx/core';
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../structures/registry.ts';
import { canonicalLayerNames, renameLayers } from './canonical-names.ts';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/**
 * Saves a LayersModel in the standard tfjs format (`model.json` + `weights.bin`, what
 * `tf.loadLayersModel('file://…/model.json')` reads), on any backend. Generated layer names are
 * renumbered ({@link canonicalLayerNames}) so equal models give byte-equal files.
 */
export async function saveModel(tf: Tf, model: tfjs.LayersModel, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData ?? new ArrayBuffer(0);
      const bytes = data instanceof ArrayBuffer ? data : new tf.io.CompositeArrayBuffer(data).slice();
      await writeFile(join(dir, WEIGHTS_FILE), new Uint8Array(bytes));
      const renames = canonicalLayerNames(artifacts.modelTopology);
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: renameLayers(artifacts.modelTopology, renames),
        weightsManifest: [
          { paths: [WEIGHTS_FILE], weights: renameLayers(artifacts.weightSpecs ?? [], renames) },
        ],
      };
      await writeFile(join(dir, MODEL_FILE), `${JSON.stringify(json)}\n`);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/**
 * Reads the weights saved by {@link saveModel} into `model`, which must have the same weights in
 * the same order (e.g. the same structure rebuilt from `structure.json`).
 */
export async function loadWeightsInto(tf: Tf, model: tfjs.LayersModel, dir: string): Promise<void> {
  const file = join(dir, MODEL_FILE);
  let specs: tfjs.io.WeightsManifestEntry[];
  try {
    const json = JSON.parse(await readFile(file, 'utf8')) as {
      weightsManifest: { weights: tfjs.io.WeightsManifestEntry[] }[];
    };
    specs = json.weightsManifest.flatMap((group) => group.weights);
  } catch (cause) {
    throw new SerxError(ErrorCodes.INPUT_DATA, `${file}: not a tfjs model.json`, { cause });
  }
  const buffer = await readFile(join(dir, WEIGHTS_FILE));
  const map = tf.io.decodeWeights(
    buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength),
    specs,
  );
  const expected = model.weights;
  if (
    expected.length !== specs.length ||
    expected.some((w, i) => w.shape.join('x') !== specs[i]!.shape.join('x'))
  ) {
    tf.dispose(Object.values(map));
    throw new SerxError(
      ErrorCodes.INPUT_DATA,
      `${file}: its ${specs.length} weights do not fit the rebuilt model's ${expected.length} (different structure params?)`,
    );
  }
  model.setWeights(specs.map((spec) => map[spec.name]!));
  tf.dispose(Object.values(map));
}
