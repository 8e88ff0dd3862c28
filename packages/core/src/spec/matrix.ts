import type { Json } from '../contract.ts';
import { ErrorCodes } from '../errors.ts';
import type { MatrixAxis } from './document.ts';
import { mapOrUndefined } from './shape.ts';
import type { IssueList } from './spec-error.ts';
import type { LEntry } from './yaml-tree.ts';

export function readMatrix(entry: LEntry | undefined, issues: IssueList): MatrixAxis[] {
  const matrix = mapOrUndefined(entry, issues);
  if (!matrix) return [];
  const axes: MatrixAxis[] = [];
  for (const axis of matrix.entries.values()) {
    const path = `matrix.${axis.key}`;
    const node = axis.value;
    if (node.kind !== 'seq' || node.items.length === 0) {
      issues.add({
        code: ErrorCodes.SPEC_MATRIX,
        message: `matrix axis '${axis.key}' must be a non-empty list of values`,
        loc: node.loc,
        specPath: path,
      });
      continue;
    }
    const values: Json[] = [];
    const seen = new Set<string>();
    for (const item of node.items) {
      if (item.kind !== 'scalar' || item.value === null) {
        issues.add({
          code: ErrorCodes.SPEC_MATRIX,
          message: `values of matrix axis '${axis.key}' must be strings, numbers or booleans`,
          loc: item.loc,
          specPath: path,
        });
      } else if (seen.has(String(item.value))) {
        issues.add({
          code: ErrorCodes.SPEC_MATRIX,
          message: `matrix axis '${axis.key}' lists ${String(item.value)} twice`,
          loc: item.loc,
          specPath: path,
        });
      } else {
        seen.add(String(item.value));
        values.push(item.value);
      }
    }
    axes.push({ name: axis.key, values, loc: axis.keyLoc });
  }
  return axes;
}
