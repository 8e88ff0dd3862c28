/**
 * The input features a store holds, for labels (`eGeMAPSv02 LLD`, `eGeMAPSv02 functionals`): from
 * `features:opensmile`'s meta; null for MFCCs (the default every label assumes).
 */
export function inputFeaturesOf(meta: { readonly [key: string]: unknown } | undefined): string | null {
  if (typeof meta?.featureSet !== 'string') return null;
  return `${meta.featureSet} ${meta.level === 'lld' ? 'LLD' : 'functionals'}`;
}
