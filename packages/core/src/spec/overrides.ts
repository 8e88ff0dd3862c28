/**
 * Command-line overrides of a spec: `--set PATH=VALUE`, `--set PATH~` / `--set ~PATH` (delete) and
 * `--matrix AXIS=v1,v2`. Each one becomes a small tree (`{stages: {ae: {params: {epochs: 5}}}}`)
 * merged over the spec the way a child file is merged over what it `extends:` (maps merge, lists
 * and scalars replace, `null` removes), before any validation: every check and error code holds,
 * and the keys are those of a YAML file with the overrides written in. Nodes an override wrote
 * carry its argument (`--set #2`) as their location, so errors point at it.
 */
import { join } from 'node:path';
import type { Json } from '../contract.ts';
import type { SourceLocation } from '../errors.ts';
import { ErrorCodes, SerxError } from '../errors.ts';
import { STAGE_KEYS, TOP_LEVEL_KEYS } from './document.ts';
import { referencedAxes } from './interpolate.ts';
import { mergeSpecs } from './merge.ts';
import { SpecIssuesError, specError } from './spec-error.ts';
import { suggest } from './suggest.ts';
import type { LEntry, LMap, LNode } from './yaml-tree.ts';
import { fromJson, parseYamlTree, toJson } from './yaml-tree.ts';

export type OverrideFlag = '--set' | '--matrix';

/** One override as given on the command line. */
export interface SpecOverride {
  flag: OverrideFlag;
  /** The flag's argument as typed: `ser_scratch.epochs=5`, `~ser_finetune`, `seed=1,2`. */
  text: string;
}

/** An override as applied (a stage glob gives one per matched stage). Recorded in run records and MLflow. */
export interface AppliedOverride {
  /** `--set #2`: the flag and its position among the flags of its kind. */
  arg: string;
  flag: OverrideFlag;
  text: string;
  /** Full dotted spec path: `stages.ser_scratch.params.epochs`. */
  path: string;
  /** The value written there (absent when deleted). */
  value?: Json;
  deleted?: true;
}

/** How the user wrote the path (`ser_scratch.epochs`), for messages; and where the arg "is". */
interface Applied extends AppliedOverride {
  written: string;
  loc: SourceLocation;
}

export interface OverrideResult {
  tree: LMap;
  applied: AppliedOverride[];
  /** Rewrites an error found in the overridden spec so that it points at the argument at fault. */
  attribute(error: unknown): unknown;
}

const PATH_HELP = 'expected PATH=VALUE, PATH~ or ~PATH (e.g. ser_scratch.epochs=5, stages.tsne~)';

/** The location of an override's argument: a pseudo file in `cwd` (relative paths resolve there). */
export function overrideLocation(arg: string, cwd: string): SourceLocation {
  return { file: join(cwd, arg), line: 1, col: 1, arg };
}

/** `--set #2` for the second `--set` (numbered per flag, in command-line order). */
export function overrideArgs(overrides: readonly SpecOverride[]): string[] {
  const counts = new Map<string, number>();
  return overrides.map(({ flag }) => {
    const n = (counts.get(flag) ?? 0) + 1;
    counts.set(flag, n);
    return `${flag} #${n}`;
  });
}

/**
 * Applies overrides in order (later ones win, as later files do in an `extends:` chain) to a merged
 * spec tree. PATH is a full spec path (`stages.ae.params.epochs`, `vars.data`, `heldOut`) or, for
 * stage params, `STAGE.PARAM[.sub]`; the stage part may be a glob (`ser_*.epochs`). A PATH that
 * matches nothing is an error with the closest names, never ignored.
 */
export function applyOverrides(tree: LMap, overrides: readonly SpecOverride[], cwd: string): OverrideResult {
  const original = tree;
  const applied: Applied[] = [];
  const args = overrideArgs(overrides);
  overrides.forEach((override, i) => {
    const arg = args[i] as string;
    const loc = overrideLocation(arg, cwd);
    const parsed =
      override.flag === '--matrix' ? parseMatrix(override.text, loc) : parseSet(override.text, loc);
    for (const target of resolveTargets(tree, parsed.path, parsed.value === undefined, loc)) {
      const leaf: LNode = parsed.value ?? { kind: 'scalar', value: null, loc };
      tree = mergeSpecs(tree, overlay(target.path, leaf, loc), { keepParentLocations: true });
      applied.push({
        arg,
        flag: override.flag,
        text: override.text,
        path: target.path.join('.'),
        ...(parsed.value === undefined ? { deleted: true as const } : { value: toJson(parsed.value) }),
        written: target.written,
        loc,
      });
    }
  });
  checkNewAxes(original, tree, applied);
  return {
    tree,
    applied: applied.map(({ written: _w, loc: _l, ...rest }) => rest),
    attribute: (error) => attribute(error, applied),
  };
}

interface Parsed {
  path: string[];
  /** undefined: delete */
  value: LNode | undefined;
}

function usage(loc: SourceLocation, message: string): SerxError {
  return specError({ code: ErrorCodes.SPEC_OVERRIDE, message, loc });
}

function splitPath(text: string, loc: SourceLocation): string[] {
  const path = text.trim().split('.');
  if (text.trim() === '' || path.some((segment) => segment === ''))
    throw usage(loc, `bad path '${text}': ${PATH_HELP}`);
  return path;
}

function parseSet(text: string, loc: SourceLocation): Parsed {
  const eq = text.indexOf('=');
  if (eq < 0) {
    const trimmed = text.trim();
    if (trimmed.startsWith('~')) return { path: splitPath(trimmed.slice(1), loc), value: undefined };
    if (trimmed.endsWith('~')) return { path: splitPath(trimmed.slice(0, -1), loc), value: undefined };
    throw usage(loc, `'${text}': ${PATH_HELP}`);
  }
  const pathText = text.slice(0, eq);
  if (pathText.includes('~'))
    throw usage(loc, `'${text}': a deletion takes no value (write ${pathText.replace(/~/g, '')}~)`);
  return { path: splitPath(pathText, loc), value: parseValue(text.slice(eq + 1), loc) };
}

/** VALUE as YAML (`5`, `true`, `[1,2]`, `"a b"`, `{a: 1}`); an empty VALUE is the empty string. */
function parseValue(text: string, loc: SourceLocation): LNode {
  if (text.trim() === '') return { kind: 'scalar', value: '', loc };
  let node: LNode;
  try {
    node = parseYamlTree(text, loc.file);
  } catch (error) {
    if (!(error instanceof SerxError)) throw error;
    throw new SerxError(error.code, `VALUE '${text}': ${error.message}`, { loc });
  }
  return fromJson(toJson(node), loc);
}

/** `--matrix AXIS=v1,v2` (or `AXIS=[v1, v2]`): the axis's values replaced. */
function parseMatrix(text: string, loc: SourceLocation): Parsed {
  const eq = text.indexOf('=');
  const axis = eq < 0 ? '' : text.slice(0, eq).trim();
  if (!axis || axis.includes('.') || text.slice(eq + 1).trim() === '')
    throw usage(loc, `'${text}': expected AXIS=v1,v2 (e.g. --matrix seed=1,2)`);
  const raw = text.slice(eq + 1).trim();
  const items = raw.startsWith('[')
    ? parseValue(raw, loc)
    : ({ kind: 'seq', items: raw.split(',').map((item) => parseValue(item.trim(), loc)), loc } as LNode);
  if (items.kind !== 'seq') throw usage(loc, `'${text}': expected AXIS=v1,v2`);
  return { path: ['matrix', axis], value: items };
}

function overlay(path: readonly string[], leaf: LNode, loc: SourceLocation): LMap {
  let node: LNode = leaf;
  for (let i = path.length - 1; i >= 0; i--) {
    const key = path[i] as string;
    node = { kind: 'map', entries: new Map([[key, { key, keyLoc: loc, value: node }]]), loc };
  }
  return node as LMap;
}

function entriesOf(node: LNode | undefined): Map<string, LEntry> {
  return node?.kind === 'map' ? node.entries : new Map();
}

function stageIds(tree: LMap): string[] {
  return [...entriesOf(tree.entries.get('stages')?.value).keys()];
}

function globMatcher(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

interface Target {
  path: string[];
  written: string;
}

/** The full paths a PATH addresses (several for a stage glob), checked against the tree. */
function resolveTargets(tree: LMap, path: string[], deleting: boolean, loc: SourceLocation): Target[] {
  const [first, ...rest] = path as [string, ...string[]];
  const stages = stageIds(tree);
  const full = TOP_LEVEL_KEYS.includes(first);
  const glob = (text: string | undefined) => text !== undefined && /[*?]/.test(text);
  if (!full && glob(first) && !stages.some((id) => globMatcher(first).test(id)))
    throw usage(loc, `'${path.join('.')}' matches nothing: no stage id matches '${first}'`);
  if (!full) {
    if (!stages.some((id) => globMatcher(first).test(id)) || rest.length === 0) {
      const hint =
        rest.length === 0 && stages.includes(first)
          ? ` (a stage param is ${first}.PARAM; the whole stage is stages.${first})`
          : suggest(first, [...stages, ...TOP_LEVEL_KEYS]);
      throw usage(
        loc,
        `'${path.join('.')}' matches nothing: '${first}' is neither a top-level key nor a stage${hint}`,
      );
    }
  }
  if (first === 'extends')
    throw usage(loc, "'extends' cannot be overridden: it is read before the overrides are applied");
  const stagePattern = full ? (first === 'stages' ? rest[0] : undefined) : first;
  const expand = (id: string): Target =>
    full
      ? { path: ['stages', id, ...rest.slice(1)], written: ['stages', id, ...rest.slice(1)].join('.') }
      : { path: ['stages', id, 'params', ...rest], written: [id, ...rest].join('.') };
  let targets: Target[];
  if (stagePattern === undefined) targets = [{ path, written: path.join('.') }];
  else if (glob(stagePattern)) {
    const matched = stages.filter((id) => globMatcher(stagePattern).test(id));
    if (matched.length === 0)
      throw usage(loc, `'${path.join('.')}' matches nothing: no stage id matches '${stagePattern}'`);
    targets = matched.map(expand);
  } else {
    if (!stages.includes(stagePattern) && !(full && rest.length === 1 && !deleting)) {
      throw usage(
        loc,
        `'${path.join('.')}' matches nothing: no stage '${stagePattern}'${suggest(stagePattern, stages)}`,
      );
    }
    targets = [expand(stagePattern)];
  }
  for (const target of targets) checkTarget(tree, target, deleting, loc);
  return targets;
}

/** Walks the tree along a target path: a deletion needs the node; lists are set whole; a new var must be used. */
function checkTarget(tree: LMap, target: Target, deleting: boolean, loc: SourceLocation): void {
  const [top, name] = target.path;
  if (top === 'vars' && name !== undefined && !deleting) {
    const vars = [...entriesOf(tree.entries.get('vars')?.value).keys()];
    if (!vars.includes(name) && !referencesVar(tree, name))
      throw usage(
        loc,
        `'${target.written}' matches nothing: no var '${name}' is defined or used${suggest(name, vars)}`,
      );
  }
  let node: LNode = tree;
  for (let i = 0; i < target.path.length; i++) {
    const key = target.path[i] as string;
    const here = target.path.slice(0, i).join('.');
    if (node.kind === 'seq')
      throw usage(
        loc,
        `'${target.written}': ${here} is a list; set it whole (e.g. ${here}=[a, b]) or delete it (${here}~)`,
      );
    const entry: LEntry | undefined = node.kind === 'map' ? node.entries.get(key) : undefined;
    if (!entry) {
      const siblings = [...entriesOf(node).keys()];
      const underParams = target.path[0] === 'stages' && target.path[2] === 'params' && i >= 3;
      if (deleting) {
        const known =
          target.path[0] === 'stages' && i === 2
            ? STAGE_KEYS
            : target.path.length === 1
              ? TOP_LEVEL_KEYS
              : [];
        throw usage(
          loc,
          `nothing to delete: '${target.written}' is not in the spec${suggest(key, [...siblings, ...known])}${underParams ? ' (a param that is not written has its default)' : ''}`,
        );
      }
      return; // a new key: validation checks it like one written in a file
    }
    node = entry.value;
  }
}

function referencesVar(tree: LNode, name: string): boolean {
  if (tree.kind === 'map') return [...tree.entries.values()].some((e) => referencesVar(e.value, name));
  if (tree.kind === 'seq') return tree.items.some((item) => referencesVar(item, name));
  return typeof tree.value === 'string' && new RegExp(`\\$\\{\\s*vars\\.${name}\\s*\\}`).test(tree.value);
}

/** A matrix axis the spec did not have is refused unless the (overridden) spec references it. */
function checkNewAxes(original: LMap, tree: LMap, applied: Applied[]): void {
  const had = new Set(entriesOf(original.entries.get('matrix')?.value).keys());
  const used = referencedAxes(tree.entries.get('stages')?.value);
  for (const override of applied) {
    const path = override.path.split('.');
    if (path[0] !== 'matrix' || override.deleted) continue;
    const axes =
      path.length === 1
        ? [...entriesOf(fromJson(override.value ?? null, override.loc)).keys()]
        : [path[1] as string];
    for (const axis of axes) {
      if (had.has(axis) || used.has(axis)) continue;
      const known = [...had];
      throw specError({
        code: ErrorCodes.SPEC_MATRIX,
        message: `the spec has no matrix axis '${axis}' and no stage uses \${matrix.${axis}}${suggest(axis, known)}; axes: ${known.join(', ') || 'none'}`,
        loc: override.loc,
        specPath: `matrix.${axis}`,
      });
    }
  }
}

/** `stages.ae.params.epochs.x` with override path `stages.ae.params.epochs` written `ae.epochs` → `ae.epochs.x`. */
function rewritePath(specPath: string | undefined, override: Applied): string | undefined {
  if (specPath === undefined || specPath === override.path) return override.written;
  if (`${specPath}.${override.path.split('.').at(-1)}` === override.path) return override.written;
  if (specPath.startsWith(`${override.path}.`))
    return override.written + specPath.slice(override.path.length);
  return specPath;
}

function covers(override: Applied, error: SerxError): boolean {
  const path = error.specPath;
  if (path === undefined) return false;
  if (path === override.path || path.startsWith(`${override.path}.`)) return true;
  const parent = override.path.split('.').slice(0, -1).join('.');
  const last = override.path.split('.').at(-1);
  return path === parent && error.message.includes(`'${last}'`);
}

function attributeOne(error: SerxError, applied: Applied[]): SerxError {
  const arg = error.loc?.arg;
  let override: Applied | undefined;
  if (arg) {
    const mine = applied.filter((o) => o.arg === arg);
    override = mine.find((o) => covers(o, error)) ?? mine[0];
    if (!override) return error;
  } else {
    // a deletion leaves no node to point at: an error about the deleted path is the deletion's
    override = applied.findLast((o) => o.deleted && covers(o, error));
    if (!override) return error;
  }
  const specPath = covers(override, error) ? rewritePath(error.specPath, override) : error.specPath;
  const [stage, field] = override.path
    .split('.')
    .slice(1, 4)
    .filter((_, i) => i !== 1);
  const hint =
    error.code === ErrorCodes.SPEC_PARAM_UNKNOWN &&
    !override.written.startsWith('stages.') &&
    field !== undefined &&
    STAGE_KEYS.includes(field)
      ? ` (STAGE.PARAM sets a param; the stage's own '${field}' is stages.${stage}.${field})`
      : '';
  return new SerxError(error.code, error.message + hint, {
    loc: override.loc,
    ...(specPath ? { specPath } : {}),
    ...(error.cause === undefined ? {} : { cause: error.cause }),
  });
}

function attribute(error: unknown, applied: Applied[]): unknown {
  if (!(error instanceof SerxError) || applied.length === 0) return error;
  if (error instanceof SpecIssuesError) {
    const [first, ...others] = [error, ...error.others].map((e) => attributeOne(e, applied)) as [
      SerxError,
      ...SerxError[],
    ];
    return new SpecIssuesError(
      {
        code: first.code,
        message: first.message,
        loc: first.loc as SourceLocation,
        ...(first.specPath ? { specPath: first.specPath } : {}),
      },
      others,
    );
  }
  return attributeOne(error, applied);
}
