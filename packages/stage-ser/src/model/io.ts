import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SerxError } from '@serx/core';
import type { Tf } from '@serx/tf-backend';
import type * as tfjs from '@tensorflow/tfjs';

export const MODEL_JSON = 'model.json';

/**
 * Loads a whole layers model (topology and weights) in the tfjs format (`saveModel` of
 * @serx/stage-autoencoder, or tfjs-node's `file://` handler) on any backend. Custom layers
 * (`SerxLSTM`) must be registered first.
 */
export async function loadModelDir(tf: Tf, dir: string): Promise<tfjs.LayersModel> {
  const file = join(dir, MODEL_JSON);
  let json: {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tfjs.io.WeightsManifestEntry[] }[];
  };
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new SerxError('INPUT_DATA', `${file}: not a readable tfjs model (${(cause as Error).message})`, {
      cause,
    });
  }
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers = await Promise.all(
    json.weightsManifest.flatMap((g) => g.paths).map((p) => readFile(join(dir, p))),
  );
  const weightData = concatWeightData(
    buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)),
  );
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData }),
  );
}

function concatWeightData(data: ArrayBuffer | ArrayBuffer[]): ArrayBuffer {
  if (!Array.isArray(data)) return data;
  const total = data.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out.buffer;
}

/** Writes `file` through a temporary name and a rename, so a kill never leaves half a file. */
export async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}
