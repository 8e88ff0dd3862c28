import type { Json } from '@serx/core';

/** Splits `ser_frozen[seed=1,lr=0.01]` into the stage id and its matrix variant (numbers parsed). */
export function parseProducerId(id: string): { stageId: string; variant: { [axis: string]: Json } } {
  const match = /^([^[]+)(?:\[(.*)\])?$/.exec(id);
  const stageId = match?.[1] ?? id;
  const variant: { [axis: string]: Json } = {};
  for (const part of match?.[2]?.split(',') ?? []) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    variant[key] = raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return { stageId, variant };
}

/** A stable text key of a variant (sorted axes), used to pair two methods' runs on the same seed. */
export function variantKey(variant: { [axis: string]: Json }): string {
  return Object.keys(variant)
    .sort()
    .map((k) => `${k}=${JSON.stringify(variant[k])}`)
    .join(',');
}
