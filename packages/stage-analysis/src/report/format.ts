/** Number formatting shared by the Markdown, CSV and HTML renderings (the HTML test re-derives these). */
export const pct = (v: number | null | undefined, digits = 1): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : (v * 100).toFixed(digits);

export const fixed = (v: number | null | undefined, digits = 4): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '' : v.toFixed(digits);

/** `0.0123` → `0.012`, `0.00004` → `<0.001`. */
export const pValue = (p: number): string => (p < 0.001 ? '<0.001' : p.toFixed(3));

/** Mean with its interval, in percent: `61.4 [57.4, 65.4]`, or `61.4 (n=1)` without one. */
export function meanWithInterval(
  cell: { mean: number; lo: number | null; hi: number | null; n: number },
  reference = false,
): string {
  if (reference) return pct(cell.mean);
  if (cell.lo === null || cell.hi === null) return `${pct(cell.mean)} (n=${cell.n})`;
  return `${pct(cell.mean)} [${pct(cell.lo)}, ${pct(cell.hi)}]`;
}

/** `1 seed`, `3 seeds`. */
export const seeds = (n: number): string => `${n} seed${n === 1 ? '' : 's'}`;
