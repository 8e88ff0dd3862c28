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
  /** A claim of a report stage failed and the stage has `strict: true` (claim and CI in the message). */
  CLAIM_FAILED: 'CLAIM_FAILED',
  /** A report claim is malformed or names a metric, corpus or method the evaluations do not have. */
  CLAIM_INVALID: 'CLAIM_INVALID',
  /** Two loaded plugins register an encoder structure under the same name. */
  ENCODER_STRUCTURE_DUPLICATE: 'ENCODER_STRUCTURE_DUPLICATE',
  /** An encoder structure's params fail its JSON Schema, or its models have the wrong shapes. */
  ENCODER_STRUCTURE_INVALID: 'ENCODER_STRUCTURE_INVALID',
  /** A spec names an encoder structure no loaded plugin registered. */
  ENCODER_STRUCTURE_UNKNOWN: 'ENCODER_STRUCTURE_UNKNOWN',
  /** The environment lacks something a stage needs (native backend, ffmpeg, MLflow venv...). */
  ENVIRONMENT: 'ENVIRONMENT',
  /** Rows of a held-out corpus reached a stage that fits on its data (runtime defence in depth). */
  HELD_OUT_DATA: 'HELD_OUT_DATA',
  /** Bad input data (unreadable audio, malformed corpus layout, unknown label...). */
  INPUT_DATA: 'INPUT_DATA',
  /** The run was interrupted (Ctrl-C / SIGTERM). */
  INTERRUPTED: 'INTERRUPTED',
  /** A corpus label has no entry in the emotion mapping (map it to a class or to `drop`). */
  LABEL_UNMAPPED: 'LABEL_UNMAPPED',
  /** Two loaded plugins register the same stage name. */
  PLUGIN_DUPLICATE_STAGE: 'PLUGIN_DUPLICATE_STAGE',
  /** A plugin object is malformed (missing name/version/stages, bad stage params schema). */
  PLUGIN_INVALID: 'PLUGIN_INVALID',
  /** A plugin package or file named in a spec (or `--plugin`) could not be imported. */
  PLUGIN_LOAD: 'PLUGIN_LOAD',
  /** The stages of a spec form a cycle (listed in order in the message). */
  SPEC_CYCLE: 'SPEC_CYCLE',
  /** Two stages of a spec share an id (duplicate YAML key under `stages:`). */
  SPEC_DUPLICATE_STAGE: 'SPEC_DUPLICATE_STAGE',
  /** A chain of `extends:` comes back to a file already in the chain. */
  SPEC_EXTENDS_CYCLE: 'SPEC_EXTENDS_CYCLE',
  /** The file named by `extends:` does not exist or cannot be read. */
  SPEC_EXTENDS_NOT_FOUND: 'SPEC_EXTENDS_NOT_FOUND',
  /** A held-out corpus reaches an input declared `fits: true` (the path is in the message). */
  SPEC_HELD_OUT_LEAK: 'SPEC_HELD_OUT_LEAK',
  /** A required input of a stage is not wired. */
  SPEC_INPUT_MISSING: 'SPEC_INPUT_MISSING',
  /** An input is wired to an output of another artifact type, or a list into a single input. */
  SPEC_INPUT_TYPE: 'SPEC_INPUT_TYPE',
  /** A stage wires an input its definition does not declare. */
  SPEC_INPUT_UNKNOWN: 'SPEC_INPUT_UNKNOWN',
  /** A `${...}` expression names an undefined variable or is malformed. */
  SPEC_INTERPOLATION: 'SPEC_INTERPOLATION',
  /** A spec node has the wrong shape (e.g. `stages` is not a map, `seed` not an integer). */
  SPEC_INVALID: 'SPEC_INVALID',
  /** Bad matrix: empty axis, reference to an undefined axis, or `[*]` into a non-many input. */
  SPEC_MATRIX: 'SPEC_MATRIX',
  /** Stage params fail the stage's JSON Schema. */
  SPEC_PARAMS: 'SPEC_PARAMS',
  /** A stage is given a param its JSON Schema does not declare. */
  SPEC_PARAM_UNKNOWN: 'SPEC_PARAM_UNKNOWN',
  /** An input references an unknown stage id or an output the stage does not have. */
  SPEC_REF_UNKNOWN: 'SPEC_REF_UNKNOWN',
  /** `uses:` names a stage no loaded plugin registers. */
  SPEC_STAGE_UNKNOWN: 'SPEC_STAGE_UNKNOWN',
  /** A spec (or stage entry) has a key the format does not define. */
  SPEC_UNKNOWN_KEY: 'SPEC_UNKNOWN_KEY',
  /** The spec file is not well-formed YAML (or has a duplicate key outside `stages:`). */
  SPEC_YAML: 'SPEC_YAML',
  /** A speaker of one corpus appears in two partitions (train/validation/test) after a split. */
  SPLIT_LEAKAGE: 'SPLIT_LEAKAGE',
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
