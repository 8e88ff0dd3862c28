import type { LEntry, LMap, LNode } from './yaml-tree.ts';

/**
 * Deep-merges a child spec over its parent: maps merge key by key, lists and scalars replace, and
 * a key set to `null` in the child removes it (`stages.X: null` removes stage X). Every node keeps
 * the location of the file that wrote it.
 */
export function mergeTrees(parent: LMap, child: LMap): LMap {
  const entries = new Map<string, LEntry>();
  for (const [key, entry] of parent.entries) {
    const over = child.entries.get(key);
    if (!over) entries.set(key, entry);
    else if (!isNull(over.value)) entries.set(key, { ...over, value: mergeNodes(entry.value, over.value) });
  }
  for (const [key, over] of child.entries) {
    if (!parent.entries.has(key) && !isNull(over.value)) entries.set(key, over);
  }
  return { kind: 'map', entries, loc: child.loc };
}

function mergeNodes(parent: LNode, child: LNode): LNode {
  return parent.kind === 'map' && child.kind === 'map' ? mergeTrees(parent, child) : child;
}

function isNull(node: LNode): boolean {
  return node.kind === 'scalar' && node.value === null;
}
