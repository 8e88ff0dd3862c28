import type { Utterance } from '../src/corpora/types.ts';

export const CORPORA = process.env.SERX_CORPORA ?? '/work/shared/corpora';

export function countBy<T>(
  items: readonly T[],
  key: (item: T) => string | null | undefined,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = String(key(item));
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

export const speakersOf = (utterances: readonly Utterance[]) =>
  [...new Set(utterances.map((u) => u.speaker))].sort();
