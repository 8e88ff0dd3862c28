import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tfjs from '@tensorflow/tfjs';
import type { Tf } from './tf.ts';

export type NamedTensor = { name: string; tensor: tfjs.Tensor };

/**
 * A training checkpoint in `<workDir>/checkpoint/`: `state.json` (the loop's JSON state, with the
 * fingerprint of the configuration) and, each as `<part>.bin` (tfjs weight encoding) + `<part>.json`
 * (specs in order), `weights` (the model now), `optimizer` (Adam's iteration and moments) and `best`
 * (the weights of the best epoch so far, absent before one is chosen).
 */
export interface Checkpoint<S> {
  state: S;
  weights: NamedTensor[];
  optimizer: NamedTensor[];
  best: NamedTensor[] | null;
}

const DIR = 'checkpoint';

/**
 * Writes the checkpoint into `checkpoint.tmp`, then swaps it in by renames: a kill at any moment
 * leaves either the previous or the new checkpoint complete (`checkpoint` or `checkpoint.old`).
 */
export async function saveCheckpoint<S>(tf: Tf, workDir: string, checkpoint: Checkpoint<S>): Promise<void> {
  const tmp = join(workDir, `${DIR}.tmp`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await writeTensors(tf, tmp, 'weights', checkpoint.weights);
  await writeTensors(tf, tmp, 'optimizer', checkpoint.optimizer);
  if (checkpoint.best) await writeTensors(tf, tmp, 'best', checkpoint.best);
  await writeFile(join(tmp, 'state.json'), `${JSON.stringify(checkpoint.state)}\n`);
  const final = join(workDir, DIR);
  const old = join(workDir, `${DIR}.old`);
  await rm(old, { recursive: true, force: true });
  if (existsSync(final)) await rename(final, old);
  await rename(tmp, final);
  await rm(old, { recursive: true, force: true });
}

/**
 * The last complete checkpoint in `workDir` whose state has `fingerprint`, or null (none, or one of
 * another training configuration).
 */
export async function loadCheckpoint<S extends { fingerprint: string }>(
  tf: Tf,
  workDir: string,
  fingerprint: string,
): Promise<Checkpoint<S> | null> {
  const dir = [join(workDir, DIR), join(workDir, `${DIR}.old`)].find((d) =>
    existsSync(join(d, 'state.json')),
  );
  if (!dir) return null;
  const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as S;
  if (state.fingerprint !== fingerprint) return null;
  return {
    state,
    weights: await readTensors(tf, dir, 'weights'),
    optimizer: await readTensors(tf, dir, 'optimizer'),
    best: existsSync(join(dir, 'best.json')) ? await readTensors(tf, dir, 'best') : null,
  };
}

async function writeTensors(tf: Tf, dir: string, base: string, tensors: NamedTensor[]): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  const bytes = data instanceof ArrayBuffer ? data : new tf.io.CompositeArrayBuffer(data).slice();
  await writeFile(join(dir, `${base}.bin`), new Uint8Array(bytes));
  await writeFile(join(dir, `${base}.json`), `${JSON.stringify(specs)}\n`);
}

async function readTensors(tf: Tf, dir: string, base: string): Promise<NamedTensor[]> {
  const specs = JSON.parse(
    await readFile(join(dir, `${base}.json`), 'utf8'),
  ) as tfjs.io.WeightsManifestEntry[];
  const buffer = await readFile(join(dir, `${base}.bin`));
  const map = tf.io.decodeWeights(
    buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength),
    specs,
  );
  return specs.map((spec) => ({ name: spec.name, tensor: map[spec.name] as tfjs.Tensor }));
}
