import type { SourceLocation } from '../errors.ts';
import { SerxError } from '../errors.ts';

export interface SpecIssue {
  code: string;
  message: string;
  loc: SourceLocation;
  specPath?: string;
}

export function specError(issue: SpecIssue): SerxError {
  return new SerxError(issue.code, issue.message, {
    loc: issue.loc,
    ...(issue.specPath ? { specPath: issue.specPath } : {}),
  });
}

/**
 * Collects the issues of one validation pass so a user sees them all at once. `throwIfAny` throws
 * the first one in file order (its code and location are the error's); the others are listed in
 * its message.
 */
export class IssueList {
  readonly issues: SpecIssue[] = [];
  private readonly seen = new Set<string>();

  add(issue: SpecIssue): void {
    const id = `${issue.code}|${issue.loc.file}:${issue.loc.line}:${issue.loc.col}|${issue.message}`;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.issues.push(issue);
  }

  /** Runs `fn`, recording a thrown SerxError with a location as an issue. */
  collect(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      if (error instanceof SerxError && error.loc) {
        this.add({
          code: error.code,
          message: error.message,
          loc: error.loc,
          ...(error.specPath ? { specPath: error.specPath } : {}),
        });
      } else {
        throw error;
      }
    }
  }

  throwIfAny(): void {
    if (this.issues.length === 0) return;
    const sorted = [...this.issues].sort(compareIssues);
    const [first, ...rest] = sorted as [SpecIssue, ...SpecIssue[]];
    const error = specError(first);
    if (rest.length === 0) throw error;
    const more = rest.map((issue) => `  ${specError(issue).format()}`).join('\n');
    throw specError({ ...first, message: `${first.message}\n(and ${rest.length} more)\n${more}` });
  }
}

function compareIssues(a: SpecIssue, b: SpecIssue): number {
  if (a.loc.file !== b.loc.file) return a.loc.file < b.loc.file ? -1 : 1;
  return a.loc.line - b.loc.line || a.loc.col - b.loc.col;
}
