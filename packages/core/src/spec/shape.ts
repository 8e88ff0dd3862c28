import { ErrorCodes } from '../errors.ts';
import type { IssueList, SpecIssue } from './spec-error.ts';
import type { LEntry, LMap, LNode, LScalar } from './yaml-tree.ts';

export function stringList(
  entry: LEntry | undefined,
  path: string,
  issues: IssueList,
): { nodes: LScalar[]; values: string[] } {
  const nodes: LScalar[] = [];
  if (!entry || (entry.value.kind === 'scalar' && entry.value.value === null)) return { nodes, values: [] };
  if (entry.value.kind !== 'seq') {
    issues.add(shapeIssue(entry.value, path, 'a list of strings'));
    return { nodes, values: [] };
  }
  for (const item of entry.value.items) {
    if (item.kind === 'scalar' && typeof item.value === 'string') nodes.push(item);
    else issues.add(shapeIssue(item, path, 'a string'));
  }
  return { nodes, values: nodes.map((node) => node.value as string) };
}

export function mapOrUndefined(entry: LEntry | undefined, issues: IssueList): LMap | undefined {
  if (!entry) return undefined;
  if (entry.value.kind === 'map') return entry.value;
  if (entry.value.kind === 'scalar' && entry.value.value === null) return undefined;
  issues.add(shapeIssue(entry.value, entry.key, 'a map'));
  return undefined;
}

export function shapeIssue(node: LNode, specPath: string, expected: string): SpecIssue {
  return { code: ErrorCodes.SPEC_INVALID, message: `must be ${expected}`, loc: node.loc, specPath };
}
