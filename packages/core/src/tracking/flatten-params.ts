import type { Json } from '../contract.ts';

/**
 * Flattens nested params into MLflow's flat string params: `{ae: {sparsity: 1e-4}}` →
 * `{'ae.sparsity': '0.0001'}`. Arrays of scalars stay one value (`[1,2]` → `"[1,2]"`); arrays of
 * objects are indexed (`layers.0.filters`).
 */
export function flattenParams(
  value: Json,
  prefix = '',
  out: Record<string, string> = {},
): Record<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const key of Object.keys(value).sort())
      flattenParams(value[key]!, prefix ? `${prefix}.${key}` : key, out);
    return out;
  }
  if (Array.isArray(value) && value.some((v) => v !== null && typeof v === 'object')) {
    for (const [i, item] of value.entries()) flattenParams(item, `${prefix}.${i}`, out);
    return out;
  }
  out[prefix] = typeof value === 'string' ? value : JSON.stringify(value);
  return out;
}
