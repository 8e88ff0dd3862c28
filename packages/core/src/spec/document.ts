/**
 * The top level of a merged spec: shape checks and vars/env interpolation. Stage `params`,
 * `seed` and `inputs` keep their `${matrix.*}` expressions for the per-variant pass.
 */
import type { Json } from '../contract.ts';
import type { SourceLocation } from '../errors.ts';
import { ErrorCodes } from '../errors.ts';
import { interpolateTree, VarScope } from './interpolate.ts';
import { readMatrix } from './matrix.ts';
import { mapOrUndefined, shapeIssue, stringList } from './shape.ts';
import type { IssueList } from './spec-error.ts';
import { suggest } from './suggest.ts';
import type { LEntry, LMap, LNode, LScalar } from './yaml-tree.ts';
import { toJson } from './yaml-tree.ts';

export const TOP_LEVEL_KEYS = [
  'name',
  'description',
  'extends',
  'plugins',
  'vars',
  'seed',
  'heldOut',
  'matrix',
  'tracking',
  'executor',
  'stages',
];
export const STAGE_KEYS = [
  'uses',
  'description',
  'params',
  'inputs',
  'outputs',
  'seed',
  'pin',
  'resources',
  'group',
  'shards',
  'shardSize',
];
export const STAGE_ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export interface MatrixAxis {
  name: string;
  values: Json[];
  loc: SourceLocation;
}

export interface StageNode {
  id: string;
  /** Position under `stages:` (ties in topological order follow it). */
  index: number;
  keyLoc: SourceLocation;
  map: LMap;
}

export interface SpecDocument {
  /** The interpolated tree (stage matrix expressions left in place). */
  tree: LMap;
  name: string;
  plugins: LScalar[];
  seed: number;
  heldOut: string[];
  /** The `heldOut:` items, for errors. */
  heldOutNodes: LScalar[];
  matrix: MatrixAxis[];
  tracking: { mlflow?: { uri?: string; enabled?: boolean } } | undefined;
  stages: StageNode[];
}

export function readDocument(raw: LMap, env: NodeJS.ProcessEnv, issues: IssueList): SpecDocument {
  for (const entry of raw.entries.values()) {
    if (!TOP_LEVEL_KEYS.includes(entry.key)) {
      issues.add({
        code: ErrorCodes.SPEC_UNKNOWN_KEY,
        message: `unknown key '${entry.key}'${suggest(entry.key, TOP_LEVEL_KEYS)}`,
        loc: entry.keyLoc,
        specPath: entry.key,
      });
    }
  }
  const scope = new VarScope(mapOrUndefined(raw.entries.get('vars'), issues), env);
  const entries = new Map<string, LEntry>();
  for (const [key, entry] of raw.entries) {
    if (key === 'vars' || key === 'stages') entries.set(key, entry);
    else
      issues.collect(() =>
        entries.set(key, {
          ...entry,
          value: interpolateTree(entry.value, scope.resolver(false), { final: true, path: key }),
        }),
      );
  }
  const varsEntry = raw.entries.get('vars');
  if (varsEntry?.value.kind === 'map') {
    issues.collect(() =>
      entries.set('vars', {
        ...varsEntry,
        value: interpolateTree(varsEntry.value, scope.resolver(false), { final: true, path: 'vars' }),
      }),
    );
  }
  const stagesEntry = raw.entries.get('stages');
  const stages = readStages(stagesEntry, scope, issues);
  if (stagesEntry)
    entries.set('stages', {
      ...stagesEntry,
      value: {
        ...(stagesEntry.value as LMap),
        entries: new Map(stages.map((s) => [s.id, { key: s.id, keyLoc: s.keyLoc, value: s.map }])),
      },
    });
  const tree: LMap = { ...raw, entries };

  const name = entries.get('name')?.value;
  if (!name)
    issues.add({
      code: ErrorCodes.SPEC_INVALID,
      message: "a spec needs a 'name' (the experiment name)",
      loc: raw.loc,
      specPath: 'name',
    });
  else if (name.kind !== 'scalar' || typeof name.value !== 'string')
    issues.add(shapeIssue(name, 'name', 'a string'));
  if (!stagesEntry)
    issues.add({
      code: ErrorCodes.SPEC_INVALID,
      message: "a spec needs 'stages'",
      loc: raw.loc,
      specPath: 'stages',
    });
  const heldOut = stringList(entries.get('heldOut'), 'heldOut', issues);
  return {
    tree,
    name: name?.kind === 'scalar' ? String(name.value) : '',
    plugins: stringList(entries.get('plugins'), 'plugins', issues).nodes,
    seed: readSeed(entries.get('seed')?.value, 'seed', issues) ?? 0,
    heldOut: heldOut.values,
    heldOutNodes: heldOut.nodes,
    matrix: readMatrix(entries.get('matrix'), issues),
    tracking: readTracking(entries.get('tracking'), issues),
    stages,
  };
}

function readStages(entry: LEntry | undefined, scope: VarScope, issues: IssueList): StageNode[] {
  const stages = mapOrUndefined(entry, issues);
  if (!stages) return [];
  const out: StageNode[] = [];
  for (const stage of stages.entries.values()) {
    const path = `stages.${stage.key}`;
    if (!STAGE_ID.test(stage.key)) {
      issues.add({
        code: ErrorCodes.SPEC_INVALID,
        message: `stage id '${stage.key}' must match [A-Za-z_][A-Za-z0-9_-]*`,
        loc: stage.keyLoc,
        specPath: path,
      });
      continue;
    }
    if (stage.value.kind !== 'map') {
      issues.add(shapeIssue(stage.value, path, 'a map with `uses:`'));
      continue;
    }
    const entries = new Map<string, LEntry>();
    for (const [key, field] of stage.value.entries) {
      if (!STAGE_KEYS.includes(key)) {
        issues.add({
          code: ErrorCodes.SPEC_UNKNOWN_KEY,
          message: `unknown key '${key}'${suggest(key, STAGE_KEYS)}`,
          loc: field.keyLoc,
          specPath: `${path}.${key}`,
        });
        continue;
      }
      const deferMatrix = key === 'params' || key === 'seed' || key === 'inputs';
      issues.collect(() =>
        entries.set(key, {
          ...field,
          value: interpolateTree(field.value, scope.resolver(deferMatrix), {
            final: !deferMatrix,
            path: `${path}.${key}`,
          }),
        }),
      );
    }
    out.push({ id: stage.key, index: out.length, keyLoc: stage.keyLoc, map: { ...stage.value, entries } });
  }
  return out;
}

export function readSeed(node: LNode | undefined, path: string, issues: IssueList): number | undefined {
  if (!node) return undefined;
  if (node.kind === 'scalar' && Number.isSafeInteger(node.value)) return node.value as number;
  issues.add(shapeIssue(node, path, 'an integer'));
  return undefined;
}

function readTracking(entry: LEntry | undefined, issues: IssueList): SpecDocument['tracking'] {
  const tracking = mapOrUndefined(entry, issues);
  return tracking ? (toJson(tracking) as SpecDocument['tracking']) : undefined;
}
