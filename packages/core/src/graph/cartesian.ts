import type { Json } from '../contract.ts';

/** Every assignment of the axes' values, the last axis varying fastest. */
export function cartesian(
  axes: readonly { name: string; values: readonly Json[] }[],
): { [axis: string]: Json }[] {
  let out: { [axis: string]: Json }[] = [{}];
  for (const axis of axes) {
    const next: { [axis: string]: Json }[] = [];
    for (const partial of out) for (const value of axis.values) next.push({ ...partial, [axis.name]: value });
    out = next;
  }
  return out;
}
