import { SerxError } from '@serx/core';
import { FeaturesErrors } from '../errors.ts';
import type { ClassTarget } from './mapping.ts';

/**
 * Checks that a mapping covers every label a reader declares, before any row is mapped, and
 * lists all the missing ones at once. Readers whose labels come from the data (no vocabulary)
 * are checked row by row by {@link mapLabel} instead.
 */
export function checkCoverage(
  corpus: string,
  reader: { name: string; labels?: readonly string[] },
  mapping: Record<string, ClassTarget>,
): void {
  const missing = (reader.labels ?? []).filter((label) => mapping[label.toLowerCase()] === undefined);
  if (missing.length === 0) return;
  throw new SerxError(
    FeaturesErrors.LABEL_UNMAPPED,
    `corpus '${corpus}': reader '${reader.name}' labels ${missing.map((l) => `'${l}'`).join(', ')} have no class in the mapping; add '<label>: <class>' or '<label>: drop' to the split stage's mapping`,
  );
}
