/**
 * A YAML document as a tree of located nodes. Every node keeps the file, line and column that
 * wrote it, so merging (`extends:`), interpolation and validation can report errors in the file
 * at fault.
 */

import { createRequire } from 'node:module';
import type { Document, Node as YamlNode } from 'yaml';
import type { Json } from '../contract.ts';
import type { SourceLocation } from '../errors.ts';
import { ErrorCodes, SerxError } from '../errors.ts';

export type LScalarValue = string | number | boolean | null;

export interface LScalar {
  kind: 'scalar';
  value: LScalarValue;
  loc: SourceLocation;
}

export interface LEntry {
  key: string;
  keyLoc: SourceLocation;
  value: LNode;
}

export interface LMap {
  kind: 'map';
  /** Entries in document order. */
  entries: Map<string, LEntry>;
  loc: SourceLocation;
}

export interface LSeq {
  kind: 'seq';
  items: LNode[];
  loc: SourceLocation;
}

export type LNode = LScalar | LMap | LSeq;

/** Called on a duplicate map key; return false to let the default SPEC_YAML error be thrown. */
export type DuplicateKeyHandler = (path: string[], key: string, loc: SourceLocation) => boolean;

/** This module's URL: a saved parse (spec/parsed-specs.ts) is keyed by this file's stamp. */
export const YAML_TREE_MODULE = import.meta.url;

let yamlModule: typeof import('yaml') | undefined;
/**
 * The `yaml` package, loaded on first use: a no-op rerun reads its specs from the saved parses
 * (spec/parsed-specs.ts) and never needs it. Every module of core that reads or writes YAML gets
 * it here instead of importing it.
 */
export function yaml(): typeof import('yaml') {
  yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yamlModule;
}

export function parseYamlTree(source: string, file: string, onDuplicate?: DuplicateKeyHandler): LNode {
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const at = (offset: number): SourceLocation => ({ file, ...lineCounter.linePos(offset) });
  const first = doc.errors[0];
  if (first) {
    const loc = at(first.pos[0]);
    throw new SerxError(
      ErrorCodes.SPEC_YAML,
      `malformed YAML: ${firstLine(first.message)}${hint(source, loc.line)}`,
      { loc },
    );
  }
  if (doc.contents === null) {
    throw new SerxError(ErrorCodes.SPEC_INVALID, 'the spec file is empty', { loc: at(0) });
  }
  return convert(doc, doc.contents as YamlNode, [], at, onDuplicate);
}

/** `[a.b[*]]` is a nested YAML flow list, a common slip when gathering matrix variants. */
function hint(source: string, line: number): string {
  const text = source.split('\n')[line - 1] ?? '';
  return /\[[^\]"']*\[\*\]/.test(text)
    ? ' (inside a [...] list, quote references that end in [*]: ["eval.evaluation[*]"])'
    : '';
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function convert(
  doc: Document,
  node: YamlNode,
  path: string[],
  at: (offset: number) => SourceLocation,
  onDuplicate: DuplicateKeyHandler | undefined,
): LNode {
  const { isAlias, isMap, isPair, isScalar, isSeq } = yaml();
  const loc = at(node.range?.[0] ?? 0);
  if (isAlias(node)) {
    const target = node.resolve(doc);
    if (!target) throw new SerxError(ErrorCodes.SPEC_YAML, `unknown alias *${node.source}`, { loc });
    return convert(doc, target as YamlNode, path, at, onDuplicate);
  }
  if (isScalar(node)) {
    const value = node.value;
    if (value === undefined || value === null) return { kind: 'scalar', value: null, loc };
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      return { kind: 'scalar', value, loc };
    }
    return { kind: 'scalar', value: String(value), loc };
  }
  if (isSeq(node)) {
    const items = node.items.map((item, i) =>
      convert(doc, item as YamlNode, [...path, String(i)], at, onDuplicate),
    );
    return { kind: 'seq', items, loc };
  }
  if (isMap(node)) {
    const entries = new Map<string, LEntry>();
    const merged: LMap[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      const keyLoc = at(keyNode?.range?.[0] ?? node.range?.[0] ?? 0);
      if (keyNode !== null && !isScalar(keyNode)) {
        throw new SerxError(ErrorCodes.SPEC_YAML, 'map keys must be plain scalars', { loc: keyLoc });
      }
      const key = String(keyNode?.value ?? '');
      if (key === '<<' && keyNode?.type === 'PLAIN' && pair.value) {
        merged.push(...mergeSources(convert(doc, pair.value as YamlNode, path, at, onDuplicate), keyLoc));
        continue;
      }
      if (entries.has(key) && !onDuplicate?.(path, key, keyLoc)) {
        throw new SerxError(ErrorCodes.SPEC_YAML, `duplicate key '${key}'`, {
          loc: keyLoc,
          specPath: dotted(path),
        });
      }
      const valueNode = pair.value as YamlNode | null;
      const value: LNode = valueNode
        ? convert(doc, valueNode, [...path, key], at, onDuplicate)
        : { kind: 'scalar', value: null, loc: keyLoc };
      entries.set(key, { key, keyLoc, value });
    }
    // YAML merge keys (`<<: *defaults`): explicit keys win, then earlier sources.
    for (const source of merged)
      for (const [key, entry] of source.entries) if (!entries.has(key)) entries.set(key, entry);
    return { kind: 'map', entries, loc };
  }
  throw new SerxError(ErrorCodes.SPEC_YAML, 'unsupported YAML node', { loc });
}

function mergeSources(value: LNode, loc: SourceLocation): LMap[] {
  const sources = value.kind === 'seq' ? value.items : [value];
  return sources.map((source) => {
    if (source.kind !== 'map')
      throw new SerxError(ErrorCodes.SPEC_YAML, '`<<` merges maps only (e.g. `<<: *defaults`)', { loc });
    return source;
  });
}

export function dotted(path: readonly string[]): string {
  return path.join('.');
}

/** Plain JSON value of a located tree. */
export function toJson(node: LNode): Json {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(toJson);
  const out: { [key: string]: Json } = {};
  for (const [key, entry] of node.entries) out[key] = toJson(entry.value);
  return out;
}

/** Builds a located tree from plain JSON, every node at `loc` (values that came from no file). */
export function fromJson(value: Json, loc: SourceLocation): LNode {
  if (Array.isArray(value)) return { kind: 'seq', items: value.map((v) => fromJson(v, loc)), loc };
  if (value !== null && typeof value === 'object') {
    const entries = new Map<string, LEntry>();
    for (const [key, v] of Object.entries(value))
      entries.set(key, { key, keyLoc: loc, value: fromJson(v, loc) });
    return { kind: 'map', entries, loc };
  }
  return { kind: 'scalar', value, loc };
}

/**
 * The node at `path` (map keys or list indices), or the deepest existing ancestor when the path
 * goes beyond the tree (e.g. a param ajv filled in from a default). `key: true` returns the
 * location of the last map key instead of its value.
 */
export function locate(
  root: LNode,
  path: readonly string[],
  options: { key?: boolean } = {},
): SourceLocation {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] as string;
    if (node.kind === 'map') {
      const entry = node.entries.get(segment);
      if (!entry) return node.loc;
      if (options.key && i === path.length - 1) return entry.keyLoc;
      node = entry.value;
    } else if (node.kind === 'seq') {
      const item = node.items[Number(segment)];
      if (!item) return node.loc;
      node = item;
    } else {
      return node.loc;
    }
  }
  return node.loc;
}

export function getEntry(node: LNode | undefined, key: string): LEntry | undefined {
  return node?.kind === 'map' ? node.entries.get(key) : undefined;
}
