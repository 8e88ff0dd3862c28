/**
 * The one catalogue of serx errors. Every error a user can meet has a stable `code`; spec errors
 * carry the file, line and column of the YAML node at fault. Add new codes here (alphabetical),
 * each with a small constructor in the module that raises it, never ad-hoc `new Error` for
 * user-facing failures.
 */

export interface SourceLocation {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  col: number;
}

export const ErrorCodes = {
  /** A stage produced an output the cache could not publish, or an entry failed its manifest check. */
  CACHE_CORRUPT: 'CACHE_CORRUPT',
  /** Two loaded plugins register an encoder structure under the same name. */
  ENCODER_STRUCTURE_DUPLICATE: 'ENCODER_STRUCTURE_DUPLICATE',
  /** An encoder structure's params fail its JSON Schema, or its models have the wrong shapes. */
  ENCODER_STRUCTURE_INVALID: 'ENCODER_STRUCTURE_INVALID',
  /** A spec names an encoder structure no loaded plugin registered. */
  ENCODER_STRUCTURE_UNKNOWN: 'ENCODER_STRUCTURE_UNKNOWN',
  /** The environment lacks something a stage needs (native backend, ffmpeg, MLflow venv...). */
  ENVIRONMENT: 'ENVIRONMENT',
  /** Bad input data (unreadable audio, malformed corpus layout, unknown label...). */
  INPUT_DATA: 'INPUT_DATA',
  /** The run was interrupted (Ctrl-C / SIGTERM). */
  INTERRUPTED: 'INTERRUPTED',
  /** A stage's run() threw; the original error is the `cause`. */
  STAGE_FAILED: 'STAGE_FAILED',
  /** Command-line usage error. */
  USAGE: 'USAGE',
} as const;

export class SerxError extends Error {
  readonly code: string;
  readonly loc: SourceLocation | undefined;
  /** Dotted path inside the spec (`stages.mfcc.params.numCeps`) when the error is about a spec node. */
  readonly specPath: string | undefined;

  constructor(
    code: string,
    message: string,
    options: { loc?: SourceLocation; specPath?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SerxError';
    this.code = code;
    this.loc = options.loc;
    this.specPath = options.specPath;
  }

  /** `file:line:col path: message [CODE]` — the form every CLI error is printed in. */
  format(): string {
    const where = this.loc ? `${this.loc.file}:${this.loc.line}:${this.loc.col} ` : '';
    const path = this.specPath ? `${this.specPath}: ` : '';
    return `${where}${path}${this.message} [${this.code}]`;
  }
}

export function isSerxError(value: unknown): value is SerxError {
  return value instanceof SerxError;
}
