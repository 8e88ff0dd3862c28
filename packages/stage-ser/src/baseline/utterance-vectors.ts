import { SerxError } from '@serx/core';
import type { FeatureRow, FeatureStore } from '@serx/stage-features';
import { inputFeaturesOf } from '../data/input-features.ts';
import { type Functional, functionalDims, functionalsOf } from './functionals.ts';

/**
 * How `ser:baseline` turns a row into one vector: a functionals store (`level: functionals`, e.g.
 * `features:opensmile`'s eGeMAPS) already holds one per utterance and is used as it is; a frame
 * store (MFCCs, LLDs) is summarised by `functionals`.
 */
export interface UtteranceVectors {
  /** `direct`: the stored row; `functionals`: functionals of its frames. */
  kind: 'direct' | 'functionals';
  dims: number;
  /** The input features for labels (`eGeMAPSv02 functionals`), null for MFCCs (the default). */
  inputFeatures: string | null;
  of(store: FeatureStore, row: FeatureRow): Float64Array;
}

const isFunctionalsStore = (store: FeatureStore) => store.meta.level === 'functionals';

/** The vectoriser for `stores` (data and targets together); they must all be of one kind. */
export function utteranceVectors(
  stageId: string,
  stores: readonly FeatureStore[],
  functionals: readonly Functional[],
): UtteranceVectors {
  const first = stores[0];
  const direct = first !== undefined && isFunctionalsStore(first);
  const odd = stores.find((s) => isFunctionalsStore(s) !== direct);
  if (odd)
    throw new SerxError(
      'INPUT_DATA',
      `${stageId}: ${odd.dir} is ${direct ? 'a frame' : 'a functionals'} store, ${first?.dir} ${direct ? 'a functionals' : 'a frame'} store: wire one kind to 'data' and 'features'`,
    );
  const dims = first?.meta.dims ?? 0;
  const inputFeatures = inputFeaturesOf(first?.meta);
  if (direct)
    return { kind: 'direct', dims, inputFeatures, of: (store, row) => Float64Array.from(store.read(row)) };
  return {
    kind: 'functionals',
    dims: functionalDims(functionals, dims),
    inputFeatures,
    of: (store, row) => functionalsOf(store.read(row), row.frames, store.meta.dims, functionals),
  };
}
