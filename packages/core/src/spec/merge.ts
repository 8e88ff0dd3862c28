import { dirname, resolve } from 'node:path';
import type { LEntry, LMap, LNode, LSeq } from './yaml-tree.ts';

/**
 * Deep-merges a child spec over its parent: maps merge key by key, lists and scalars replace, and
 * a key set to `null` in the child removes it (`stages.X: null` removes stage X). The top-level
 * `plugins` lists are the exception: the child's are added to the parent's, since the parent's
 * stages still need theirs. Every node keeps the location of the file that wrote it.
 */
export function mergeSpecs(parent: LMap, child: LMap, options: MergeOptions = {}): LMap {
  const merged = mergeTrees(parent, child, options);
  const own = parent.entries.get('plugins');
  const added = child.entries.get('plugins');
  if (own?.value.kind === 'seq' && added?.value.kind === 'seq') {
    merged.entries.set('plugins', { ...added, value: concatUnique(own.value, added.value) });
  }
  return merged;
}

export interface MergeOptions {
  /**
   * A map both sides have keeps the parent's locations (command-line overrides: only the nodes an
   * override wrote point at it). Default: the child's, the file that last wrote the map.
   */
  keepParentLocations?: boolean;
}

export function mergeTrees(parent: LMap, child: LMap, options: MergeOptions = {}): LMap {
  const entries = new Map<string, LEntry>();
  for (const [key, entry] of parent.entries) {
    const over = child.entries.get(key);
    if (!over) entries.set(key, entry);
    else if (!isNull(over.value)) {
      const value = mergeNodes(entry.value, over.value, options);
      const keep = options.keepParentLocations && value !== over.value;
      entries.set(key, keep ? { ...entry, value } : { ...over, value });
    }
  }
  for (const [key, over] of child.entries) {
    if (!parent.entries.has(key) && !isNull(over.value)) entries.set(key, over);
  }
  return { kind: 'map', entries, loc: options.keepParentLocations ? parent.loc : child.loc };
}

function mergeNodes(parent: LNode, child: LNode, options: MergeOptions): LNode {
  return parent.kind === 'map' && child.kind === 'map' ? mergeTrees(parent, child, options) : child;
}

function concatUnique(first: LSeq, second: LSeq): LSeq {
  const seen = new Set<unknown>();
  const items = [...first.items, ...second.items].filter((item) => {
    const key = item.kind === 'scalar' ? pluginKey(item.value, item.loc.file) : item;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { ...second, items };
}

/** Relative plugin paths are the same plugin when they resolve to the same file. */
function pluginKey(value: unknown, file: string): unknown {
  return typeof value === 'string' && value.startsWith('.') ? resolve(dirname(file), value) : value;
}

function isNull(node: LNode): boolean {
  return node.kind === 'scalar' && node.value === null;
}
