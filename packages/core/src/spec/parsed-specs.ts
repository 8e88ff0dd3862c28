/**
 * Spec files parsed once per content. Parsing YAML with source locations is a tenth of a no-op
 * rerun's start-up (and loading the `yaml` package another few percent), while a spec rarely
 * changes between runs: the located tree of a file that parsed cleanly is saved as JSON in the user
 * cache (`$SERX_CACHE_HOME/spec-trees`), keyed by the file's path and text and by the parser
 * module's own stamp, and read back instead of parsing. A file with a YAML error is never saved,
 * so it is reported as before; a saved tree that cannot be read is parsed again.
 */

import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SourceLocation } from '../errors.ts';
import { readCached, saveCached, userCacheDir } from '../user-cache.ts';
import { type LEntry, type LNode, type LScalarValue, YAML_TREE_MODULE } from './yaml-tree.ts';

/** Bumped when the saved form below changes. */
const FORMAT = 1;

/** A located node as saved: locations as [line, col], the file being the key's. */
type Saved =
  | ['s', LScalarValue, number, number]
  | ['q', Saved[], number, number]
  | ['m', [string, number, number, Saved][], number, number];

/** The tree of `source` read from `file`: the saved parse when there is one, else `parse()` saved. */
export function parsedSpec(file: string, source: string, parse: () => LNode): LNode {
  const dir = userCacheDir('spec-trees');
  const name = `${keyOf(file, source)}.json`;
  const saved = readCached([dir], name);
  if (saved !== undefined) {
    try {
      return revive(JSON.parse(saved) as Saved, file);
    } catch {
      // damaged: parse again (and overwrite it below)
    }
  }
  const tree = parse();
  saveCached(dir, name, JSON.stringify(flatten(tree)));
  return tree;
}

function keyOf(file: string, source: string): string {
  const parser = statSync(fileURLToPath(YAML_TREE_MODULE));
  return createHash('sha256')
    .update(JSON.stringify([FORMAT, parser.size, parser.mtimeMs, file]))
    .update('\0')
    .update(source)
    .digest('hex');
}

function flatten(node: LNode): Saved {
  const { line, col } = node.loc;
  if (node.kind === 'scalar') return ['s', node.value, line, col];
  if (node.kind === 'seq') return ['q', node.items.map(flatten), line, col];
  return [
    'm',
    [...node.entries.values()].map((e) => [e.key, e.keyLoc.line, e.keyLoc.col, flatten(e.value)]),
    line,
    col,
  ];
}

function revive(saved: Saved, file: string): LNode {
  const at = (line: number, col: number): SourceLocation => ({ file, line, col });
  const [kind, body, line, col] = saved;
  if (kind === 's') return { kind: 'scalar', value: body, loc: at(line, col) };
  if (kind === 'q') return { kind: 'seq', items: body.map((item) => revive(item, file)), loc: at(line, col) };
  if (kind !== 'm') throw new Error(`not a saved spec tree node: ${String(kind)}`);
  const entries = new Map<string, LEntry>();
  for (const [key, keyLine, keyCol, value] of body)
    entries.set(key, { key, keyLoc: at(keyLine, keyCol), value: revive(value, file) });
  return { kind: 'map', entries, loc: at(line, col) };
}
