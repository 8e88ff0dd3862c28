import { SerxError } from '@serx/core';

/** `none`, `balanced` (n / (k · n_c), as scikit-learn), or an explicit weight per class name. */
export type ClassWeightSetting = 'none' | 'balanced' | { [className: string]: number };

/** Per-class loss weights in `classes` order, or null for unweighted training. */
export function resolveClassWeights(
  setting: ClassWeightSetting,
  labels: ArrayLike<number>,
  classes: readonly string[],
): number[] | null {
  if (setting === 'none') return null;
  if (setting === 'balanced') {
    const counts = new Array<number>(classes.length).fill(0);
    for (let i = 0; i < labels.length; i++)
      counts[labels[i] as number] = (counts[labels[i] as number] as number) + 1;
    return counts.map((n) => (n === 0 ? 0 : labels.length / (classes.length * n)));
  }
  const unknown = Object.keys(setting).filter((c) => !classes.includes(c));
  if (unknown.length > 0) {
    throw new SerxError(
      'SPEC_PARAMS',
      `classWeights names unknown classes [${unknown.join(', ')}]; classes are [${classes.join(', ')}]`,
    );
  }
  return classes.map((c) => setting[c] ?? 1);
}
