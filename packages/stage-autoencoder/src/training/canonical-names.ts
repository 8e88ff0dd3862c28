/**
 * tfjs names unnamed layers from a process-wide counter (`conv2d_Conv2D7`, `input3`), so the same
 * model saved from two processes, or after other models were built, gets different names in
 * `model.json`. Saving renumbers those generated names in order of appearance (`conv2d_Conv2D1`, …),
 * so a saved model is a function of its architecture and weights alone.
 */
type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

interface LayerEntry {
  class_name?: string;
  config?: { name?: string; layers?: LayerEntry[] };
}

/** Old → new name of every generated layer name in a layers-model topology (nested models included). */
export function canonicalLayerNames(topology: unknown): Map<string, string> {
  const renames = new Map<string, string>();
  const counts = new Map<string, number>();
  const visit = (layers: LayerEntry[] | undefined) => {
    for (const layer of layers ?? []) {
      const name = layer.config?.name;
      const cls = layer.class_name ?? '';
      const generated =
        name === undefined
          ? null
          : cls === 'InputLayer'
            ? /^(input)\d+$/.exec(name)
            : new RegExp(`^(.*_${cls})\\d+$`).exec(name);
      if (name !== undefined && generated && !renames.has(name)) {
        const prefix = generated[1] as string;
        const n = (counts.get(prefix) ?? 0) + 1;
        counts.set(prefix, n);
        renames.set(name, `${prefix}${n}`);
      }
      visit(layer.config?.layers);
    }
  };
  const root = (topology as { model_config?: LayerEntry; config?: LayerEntry['config'] }) ?? {};
  visit((root.model_config ?? (root as LayerEntry)).config?.layers);
  return renames;
}

/** `value` with every string that is a renamed layer name, or a weight path under one, renamed. */
export function renameLayers<T>(value: T, renames: ReadonlyMap<string, string>): T {
  const rename = (s: string): string => {
    const exact = renames.get(s);
    if (exact !== undefined) return exact;
    const slash = s.indexOf('/');
    if (slash > 0) {
      const head = renames.get(s.slice(0, slash));
      if (head !== undefined) return head + s.slice(slash);
    }
    return s;
  };
  const walk = (v: JsonValue): JsonValue => {
    if (typeof v === 'string') return rename(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value as JsonValue) as T;
}
