import { ErrorCodes, mixSeed, SerxError, shuffled } from '@serx/core';
import { type FeatureStore, openFeatureStore } from '@serx/stage-features';

/**
 * The utterances of one or more feature stores as compact typed arrays (a few bytes per
 * utterance on top of the stores' own index), features read on demand, one utterance at a time.
 */
export interface Corpus {
  readonly numCeps: number;
  readonly size: number;
  /** Frames of utterance `i`. */
  readonly frames: Int32Array;
  /** The `frames × numCeps` values of utterance `i` (a fresh array). */
  read(i: number): Float32Array;
  /** `corpus/id` of utterance `i`. */
  describe(i: number): { id: string; corpus: string; frames: number };
  close(): void;
}

/** Opens feature stores for reading; refuses rows of a held-out corpus and mixed dimensions. */
export async function openCorpus(
  dirs: readonly string[],
  options: { heldOut?: readonly string[]; limit?: number } = {},
): Promise<Corpus> {
  const stores: FeatureStore[] = [];
  for (const dir of dirs) stores.push(await openFeatureStore(dir));
  const numCeps = stores[0]?.meta.dims;
  if (numCeps === undefined)
    throw new SerxError(ErrorCodes.INPUT_DATA, 'autoencoder pretraining needs at least one feature store');
  const heldOut = new Set(options.heldOut ?? []);
  let total = 0;
  for (const store of stores) {
    if (store.meta.dims !== numCeps) {
      throw new SerxError(
        ErrorCodes.INPUT_DATA,
        `${store.dir}/meta.json: dims ${store.meta.dims}, but ${stores[0]!.dir} has ${numCeps}; all inputs need the same MFCC count`,
      );
    }
    const bad = store.rows.findIndex((row) => heldOut.has(row.corpus));
    if (bad >= 0) {
      throw new SerxError(
        ErrorCodes.HELD_OUT_DATA,
        `${store.dir}/index.jsonl:${bad + 1}: row of held-out corpus '${store.rows[bad]!.corpus}' reached pretraining`,
      );
    }
    total += store.rows.length;
  }
  const size = Math.min(total, options.limit ?? total);
  if (size === 0)
    throw new SerxError(ErrorCodes.INPUT_DATA, `no utterances in ${dirs.join(', ')}: nothing to pretrain on`);
  const storeOf = new Uint16Array(size);
  const rowOf = new Int32Array(size);
  const frames = new Int32Array(size);
  let i = 0;
  for (let s = 0; s < stores.length && i < size; s++) {
    const rows = stores[s]!.rows;
    for (let r = 0; r < rows.length && i < size; r++, i++) {
      storeOf[i] = s;
      rowOf[i] = r;
      frames[i] = rows[r]!.frames;
    }
  }
  const rowAt = (k: number) => stores[storeOf[k]!]!.rows[rowOf[k]!]!;
  return {
    numCeps,
    size,
    frames,
    read: (k) => stores[storeOf[k]!]!.read(rowAt(k)),
    describe: (k) => ({ id: rowAt(k).id, corpus: rowAt(k).corpus, frames: frames[k]! }),
    close: () => {
      for (const store of stores) store.close();
    },
  };
}

/**
 * A seeded train / held-out partition of `0..size-1`: held-out gets `round(size × fraction)`,
 * at least 1 and never all (none for a single utterance or fraction 0).
 */
export function holdOut(
  size: number,
  fraction: number,
  seed: number,
): { train: Int32Array; validation: Int32Array } {
  const order = Int32Array.from(
    shuffled(
      Array.from({ length: size }, (_, i) => i),
      mixSeed(seed, 0x5eed),
    ),
  );
  const count = fraction <= 0 || size < 2 ? 0 : Math.max(1, Math.min(size - 1, Math.round(size * fraction)));
  return { validation: order.slice(0, count).sort(), train: order.slice(count).sort() };
}
