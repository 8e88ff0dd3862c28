import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomic } from '../model/io.ts';

/** A tensor as plain data (float32 values; `dtype` says how to rebuild it). */
export interface SavedTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array;
}

/** Everything needed to continue a training exactly where it stopped. */
export interface Checkpoint<S> {
  state: S;
  model: SavedTensor[];
  optimizer: SavedTensor[];
  best: SavedTensor[] | null;
}

const POINTER = 'checkpoint.json';
const PARTS = ['model', 'optimizer', 'best'] as const;

/**
 * Writes a checkpoint into a fresh `ckpt-NNNNNN` directory, then switches `checkpoint.json` to it
 * (atomic rename) and removes older ones: a kill at any point leaves the previous checkpoint intact.
 */
export async function saveCheckpoint<S>(
  workDir: string,
  step: number,
  checkpoint: Checkpoint<S>,
): Promise<void> {
  const name = `ckpt-${String(step).padStart(6, '0')}`;
  const dir = join(workDir, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const part of PARTS) {
    const tensors = checkpoint[part];
    if (!tensors) continue;
    await writeFile(join(dir, `${part}.bin`), concat(tensors.map((t) => t.data)));
    await writeFile(
      join(dir, `${part}.json`),
      JSON.stringify(tensors.map(({ name, shape, dtype }) => ({ name, shape, dtype }))),
    );
  }
  await writeFile(join(dir, 'state.json'), JSON.stringify(checkpoint.state));
  await writeAtomic(join(workDir, POINTER), JSON.stringify({ dir: name }));
  for (const entry of await readdir(workDir)) {
    if (entry.startsWith('ckpt-') && entry !== name)
      await rm(join(workDir, entry), { recursive: true, force: true });
  }
}

/** The last complete checkpoint in `workDir`, or null. */
export async function loadCheckpoint<S>(workDir: string): Promise<Checkpoint<S> | null> {
  let pointer: { dir: string };
  try {
    pointer = JSON.parse(await readFile(join(workDir, POINTER), 'utf8'));
  } catch {
    return null;
  }
  const dir = join(workDir, pointer.dir);
  const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as S;
  const read = async (part: (typeof PARTS)[number]): Promise<SavedTensor[] | null> => {
    let specs: Omit<SavedTensor, 'data'>[];
    try {
      specs = JSON.parse(await readFile(join(dir, `${part}.json`), 'utf8'));
    } catch {
      return null;
    }
    const bytes = await readFile(join(dir, `${part}.bin`));
    const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    let at = 0;
    return specs.map((spec) => {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      const data = all.slice(at, at + size);
      at += size;
      return { ...spec, data };
    });
  };
  return {
    state,
    model: (await read('model')) ?? [],
    optimizer: (await read('optimizer')) ?? [],
    best: await read('best'),
  };
}

function concat(parts: Float32Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Float32Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return new Uint8Array(out.buffer);
}
