import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from '../structures/registry.ts';

type NamedTensor = { name: string; tensor: tfjs.Tensor };

/** Writes tensors as `<base>.bin` (tfjs weight encoding) and `<base>.json` (their specs, in order). */
export async function writeTensors(tf: Tf, dir: string, base: string, tensors: NamedTensor[]): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  const bytes = data instanceof ArrayBuffer ? data : new tf.io.CompositeArrayBuffer(data).slice();
  await writeFile(join(dir, `${base}.bin`), new Uint8Array(bytes));
  await writeFile(join(dir, `${base}.json`), `${JSON.stringify(specs)}\n`);
}

/** Reads what {@link writeTensors} wrote, in the original order. */
export async function readTensors(tf: Tf, dir: string, base: string): Promise<NamedTensor[]> {
  const specs = JSON.parse(
    await readFile(join(dir, `${base}.json`), 'utf8'),
  ) as tfjs.io.WeightsManifestEntry[];
  const buffer = await readFile(join(dir, `${base}.bin`));
  const data = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
  const map = tf.io.decodeWeights(data, specs);
  return specs.map((spec) => ({ name: spec.name, tensor: map[spec.name]! }));
}

/** The weights of several models, named `<model index>/<weight index>` so names never collide. */
export function modelWeights(models: readonly tfjs.LayersModel[]): NamedTensor[] {
  return models.flatMap((model, m) => model.getWeights().map((tensor, w) => ({ name: `${m}/${w}`, tensor })));
}

/** Sets the weights written by {@link modelWeights} back into the same models. */
export function setModelWeights(models: readonly tfjs.LayersModel[], tensors: NamedTensor[]): void {
  models.forEach((model, m) => {
    const mine = tensors.filter((t) => t.name.startsWith(`${m}/`)).map((t) => t.tensor);
    model.setWeights(mine);
  });
}
