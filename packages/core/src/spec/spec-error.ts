import type { ErrorCode, SourceLocation } from '../errors.ts';
import { SerxError } from '../errors.ts';

export interface SpecIssue {
  code: ErrorCode;
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

  /** Throws the collected issues (there is at least one). */
  throwAll(): never {
    this.throwIfAny();
    throw new Error('IssueList.throwAll called without issues');
  }

  throwIfAny(): void {
    if (this.issues.length === 0) return;
    const [first, ...rest] = [...this.issues].sort(compareIssues) as [SpecIssue, ...SpecIssue[]];
    if (rest.length === 0) throw specError(first);
    throw new SpecIssuesError(first, rest.map(specError));
  }
}

/**
 * Several problems found in one pass: code, location and message are the first one's (in file
 * order); `format()` prints every one on its own line.
 */
export class SpecIssuesError extends SerxError {
  readonly others: SerxError[];

  constructor(first: SpecIssue, others: SerxError[]) {
    super(first.code, first.message, {
      loc: first.loc,
      ...(first.specPath ? { specPath: first.specPath } : {}),
    });
    this.others = others;
  }

  override format(): string {
    return [super.format(), ...this.others.map((error) => error.format())].join('\n');
  }
}

function compareIssues(a: SpecIssue, b: SpecIssue): number {
  if (a.loc.file !== b.loc.file) return a.loc.file < b.loc.file ? -1 : 1;
  return a.loc.line - b.loc.line || a.loc.col - b.loc.col;
}
