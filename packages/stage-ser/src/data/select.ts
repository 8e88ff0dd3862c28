import type { Artifact } from '@serx/core';
import { SerxError } from '@serx/core';
import { type FeatureRow, type FeatureStore, openFeatureStore } from '@serx/stage-features';
import type { Example } from './batches.ts';

export interface OpenedInputs {
  stores: FeatureStore[];
  /** Values per frame, the same in every store. */
  dims: number;
  close(): void;
}

/** Opens the feature stores of `artifacts`; they must agree on `dims`. */
export async function openInputs(artifacts: readonly Artifact[]): Promise<OpenedInputs> {
  const stores = await Promise.all(artifacts.map((a) => openFeatureStore(a.path)));
  const dims = stores[0]?.meta.dims ?? 0;
  for (const store of stores) {
    if (store.meta.dims !== dims) {
      throw new SerxError(
        'INPUT_DATA',
        `${store.dir}: ${store.meta.dims} values per frame, but ${stores[0]?.dir} has ${dims}`,
      );
    }
  }
  return {
    stores,
    dims,
    close: () => {
      for (const s of stores) s.close();
    },
  };
}

/**
 * Refuses (`HELD_OUT_DATA`) any input whose lineage or rows contain a held-out corpus. The runner
 * already proves this from the spec; this is the stage's own defence in depth.
 */
export function refuseHeldOut(
  stageId: string,
  artifacts: readonly Artifact[],
  stores: readonly FeatureStore[],
  heldOut: readonly string[],
): void {
  if (heldOut.length === 0) return;
  artifacts.forEach((artifact, i) => {
    const byLineage = artifact.corpora.filter((c) => heldOut.includes(c));
    const row = stores[i]?.rows.find((r) => heldOut.includes(r.corpus));
    const corpus = byLineage[0] ?? row?.corpus;
    if (corpus !== undefined) {
      throw new SerxError(
        'HELD_OUT_DATA',
        `${stageId}: input from '${artifact.producer}' (${artifact.path}) holds held-out corpus '${corpus}'` +
          `${row ? ` (row '${row.id}')` : ''}; a held-out corpus must never be trained or validated on`,
      );
    }
  });
}

/** Sorted distinct classes of the rows of `splits`, ignoring rows without a class. */
export function classesOf(stores: readonly FeatureStore[], splits: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const store of stores)
    for (const row of store.rows)
      if (row.class !== null && splits.includes(row.split ?? '')) seen.add(row.class);
  return [...seen].sort();
}

/**
 * The rows of `split` over all stores, as examples labelled by their index in `classes`.
 * Rows without a class are skipped (counted); a class outside `classes` is an INPUT_DATA error.
 */
export function examplesOf(
  stores: readonly FeatureStore[],
  split: string,
  classes: readonly string[],
): { examples: Example[]; unlabelled: number } {
  const index = new Map(classes.map((c, i) => [c, i]));
  const examples: Example[] = [];
  let unlabelled = 0;
  for (const store of stores) {
    store.rows.forEach((row: FeatureRow, n) => {
      if (row.split !== split) return;
      if (row.class === null || row.class === undefined) {
        unlabelled += 1;
        return;
      }
      const label = index.get(row.class);
      if (label === undefined) {
        throw new SerxError(
          'INPUT_DATA',
          `${store.dir}/index.jsonl:${n + 1}: class '${row.class}' of '${row.id}' is not one of [${classes.join(', ')}]`,
        );
      }
      examples.push({ store, row, label });
    });
  }
  return { examples, unlabelled };
}
