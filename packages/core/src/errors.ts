/**
 * The one catalogue of serx errors. Every error a user can meet has a stable `code`; spec errors
 * carry the file, line and column of the YAML node at fault. Core codes are listed here
 * (alphabetical). A plugin registers its own codes, namespaced by its stage prefix, with
 * {@link defineErrorCodes} (`features:LABEL_UNMAPPED`), so `SerxError` accepts no code that is in
 * neither place. Each code has a small constructor in the module that raises it, never an ad-hoc
 * `new Error` for a user-facing failure.
 */

export interface SourceLocation {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  col: number;
  /**
   * Set when a command-line override wrote the node (`--set #2`): errors are printed as
   * `--set #2: path: message`; `file` is then a pseudo file in the working directory, so that
   * relative paths in the value resolve there.
   */
  arg?: string;
}

export const ErrorCodes = {
  /** A stage produced an output the cache could not publish, or an entry failed its manifest check. */
  CACHE_CORRUPT: 'CACHE_CORRUPT',
  /** The environment lacks something a stage needs (native backend, ffmpeg, MLflow venv...). */
  ENVIRONMENT: 'ENVIRONMENT',
  /** Rows of a held-out corpus reached a stage that fits on its data (runtime defence in depth). */
  HELD_OUT_DATA: 'HELD_OUT_DATA',
  /** Bad input data (unreadable audio, malformed corpus layout, unknown label...). */
  INPUT_DATA: 'INPUT_DATA',
  /**
   * A programming error: an API used against its contract or a broken invariant (a closed pool
   * used again, a negative dimension passed). A bug in serx or in a plugin, never the user's input.
   */
  INTERNAL: 'INTERNAL',
  /** The run was interrupted (Ctrl-C / SIGTERM). */
  INTERRUPTED: 'INTERRUPTED',
  /** A batch-scheduler job (Slurm) of a stage ended without publishing its cache entry (state and log tail in the message). */
  JOB_FAILED: 'JOB_FAILED',
  /** Two loaded plugins register the same stage name. */
  PLUGIN_DUPLICATE_STAGE: 'PLUGIN_DUPLICATE_STAGE',
  /**
   * A plugin hook other than a stage's run() (its setup, a CLI command it contributes) threw
   * something that is not a SerxError; the message names the plugin and the hook, the original
   * error is the `cause` (Rollup's PLUGIN_ERROR).
   */
  PLUGIN_ERROR: 'PLUGIN_ERROR',
  /** A plugin object is malformed (missing name/version/stages, bad stage params schema). */
  PLUGIN_INVALID: 'PLUGIN_INVALID',
  /** A plugin package or file named in a spec (or `--plugin`) could not be imported. */
  PLUGIN_LOAD: 'PLUGIN_LOAD',
  /**
   * The remote cache (an S3-compatible store) refused or failed a request, or is not configured
   * (method, object, HTTP status and the store's error code in the message).
   */
  REMOTE: 'REMOTE',
  /** The batch scheduler (sbatch, squeue...) is missing or refused a command. */
  SCHEDULER: 'SCHEDULER',
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
  /**
   * A command-line override (`--set`, `--matrix`, `--variant`) is malformed or its PATH matches
   * nothing in the spec (the closest stage, param or key names are suggested).
   */
  SPEC_OVERRIDE: 'SPEC_OVERRIDE',
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
  /**
   * A stage's process or worker thread ended before its run() settled: `process.exit()` inside the
   * stage, a crash of a native addon, a kill (how it ended and its last output in the message).
   */
  STAGE_CRASHED: 'STAGE_CRASHED',
  /** A stage's run() threw; the original error is the `cause` (serx's PLUGIN_ERROR). */
  STAGE_FAILED: 'STAGE_FAILED',
  /**
   * A stage's run() returned a promise that can never settle (nothing is left for it to wait for:
   * a missing resolve, an await on an event that cannot come).
   */
  STAGE_HUNG: 'STAGE_HUNG',
  /** The MLflow artifact URI has a scheme serx cannot upload to (use a proxied artifact store or file:). */
  TRACKING_ARTIFACT_SCHEME: 'TRACKING_ARTIFACT_SCHEME',
  /** `serx compare` names an experiment the MLflow server does not have. */
  TRACKING_NOT_FOUND: 'TRACKING_NOT_FOUND',
  /** An MLflow REST request failed (HTTP status, MLflow error code and detail in the message). */
  TRACKING_REQUEST: 'TRACKING_REQUEST',
  /** Command-line usage error: an unknown command or flag, a missing or malformed argument. */
  USAGE: 'USAGE',
} as const;

/** A code of the core catalogue. */
export type CoreErrorCode = keyof typeof ErrorCodes;
/** A code a plugin registered with {@link defineErrorCodes}: `<namespace>:<CODE>`. */
export type PluginErrorCode = `${string}:${string}`;
export type ErrorCode = CoreErrorCode | PluginErrorCode;

/** What a registered code means, for documentation and the CLI's exit status. */
export interface ErrorCodeInfo {
  description: string;
  /** Exit status of a CLI command that fails with it: 2 when the user's input (spec, flags) is wrong; default 1. */
  exit?: 1 | 2;
}

const USAGE_CODES: ReadonlySet<string> = new Set<CoreErrorCode>([
  'PLUGIN_DUPLICATE_STAGE',
  'PLUGIN_INVALID',
  'PLUGIN_LOAD',
  'TRACKING_NOT_FOUND',
  'USAGE',
]);
const pluginCodes = new Map<string, Required<ErrorCodeInfo>>();

/**
 * Registers a plugin's error codes under its namespace (the plugin's stage prefix) and returns
 * them as constants. Registering the same code again with the same meaning is a no-op (a module
 * can be evaluated once per worker); with a different meaning it is an INTERNAL error.
 *
 * @example
 * ```ts
 * export const FeaturesErrors = defineErrorCodes('features', {
 *   LABEL_UNMAPPED: { description: 'A corpus label has no entry in the emotion mapping' },
 * });
 * throw new SerxError(FeaturesErrors.LABEL_UNMAPPED, `emodb: label 'W' is not mapped`);
 * // printed as: emodb: label 'W' is not mapped [features:LABEL_UNMAPPED]
 * ```
 */
export function defineErrorCodes<const N extends string, const C extends { [code: string]: ErrorCodeInfo }>(
  namespace: N,
  codes: C,
): { readonly [K in keyof C & string]: `${N}:${K}` } {
  if (!/^[a-z][a-z0-9-]*$/.test(namespace)) {
    throw new SerxError(
      'INTERNAL',
      `error namespace '${namespace}' must be lower-case kebab (a stage prefix)`,
    );
  }
  const constants: { [code: string]: string } = {};
  for (const [name, info] of Object.entries(codes)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) {
      throw new SerxError('INTERNAL', `error code '${name}' of '${namespace}' must be UPPER_SNAKE_CASE`);
    }
    const code = `${namespace}:${name}`;
    const entry = { description: info.description, exit: info.exit ?? 1 };
    const known = pluginCodes.get(code);
    if (known && (known.description !== entry.description || known.exit !== entry.exit)) {
      throw new SerxError('INTERNAL', `error code ${code} is registered twice with different meanings`);
    }
    pluginCodes.set(code, entry);
    constants[name] = code;
  }
  return constants as { readonly [K in keyof C & string]: `${N}:${K}` };
}

/** The registered meaning of a plugin code; undefined for core codes and unregistered ones. */
export function pluginErrorCode(code: string): Required<ErrorCodeInfo> | undefined {
  return pluginCodes.get(code);
}

export class SerxError extends Error {
  readonly code: ErrorCode;
  readonly loc: SourceLocation | undefined;
  /** Dotted path inside the spec (`stages.mfcc.params.numCeps`) when the error is about a spec node. */
  readonly specPath: string | undefined;

  /**
   * @throws SerxError `INTERNAL` when `code` is neither a core code nor one registered with
   * {@link defineErrorCodes}: an unregistered code is a bug of the code that builds the error,
   * caught where it is built (the message keeps the intended one).
   */
  constructor(
    code: ErrorCode,
    message: string,
    options: { loc?: SourceLocation; specPath?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SerxError';
    if (!isKnownCode(code)) throw unknownCode(code, message, options.cause);
    this.code = code;
    this.loc = options.loc;
    this.specPath = options.specPath;
  }

  /** `file:line:col path: message [CODE]` — the form every CLI error is printed in. */
  format(): string {
    const where = this.loc?.arg
      ? `${this.loc.arg}: `
      : this.loc
        ? `${this.loc.file}:${this.loc.line}:${this.loc.col} `
        : '';
    const path = this.specPath ? `${this.specPath}: ` : '';
    return `${where}${path}${this.message} [${this.code}]`;
  }
}

function unknownCode(code: string, message: string, cause: unknown): SerxError {
  const at = code.indexOf(':');
  const why =
    at < 0
      ? 'not in the core catalogue'
      : `not registered: no plugin called defineErrorCodes('${code.slice(0, at)}', { ${code.slice(at + 1)}: ... })`;
  return new SerxError('INTERNAL', `error code '${code}' is ${why} (while reporting: ${message})`, { cause });
}

/** A core code, or a plugin code registered with {@link defineErrorCodes}. */
export function isKnownCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (Object.hasOwn(ErrorCodes, code) || pluginCodes.has(code));
}

/**
 * Whether `value` is a serx error, recognised by its `code` (a known one) as Rollup does, not by
 * `instanceof`: an error made by another copy of `@serx/core` (a plugin with its own dependency)
 * or rebuilt from another process or thread still counts. Use {@link toSerxError} to get a
 * `SerxError` with its methods from one.
 */
export function isSerxError(value: unknown): value is SerxError {
  return (
    value instanceof SerxError || (value instanceof Error && isKnownCode((value as { code?: unknown }).code))
  );
}

/** `value` as a SerxError when it is one by {@link isSerxError} (the same object when it already is); else undefined. */
export function toSerxError(value: unknown): SerxError | undefined {
  if (value instanceof SerxError) return value;
  if (!isSerxError(value)) return undefined;
  const like = value as Error & { code: ErrorCode; loc?: SourceLocation; specPath?: string };
  const rebuilt = new SerxError(like.code, like.message, {
    ...(like.loc ? { loc: like.loc } : {}),
    ...(like.specPath ? { specPath: like.specPath } : {}),
    ...(like.cause === undefined ? {} : { cause: like.cause }),
  });
  if (like.stack) rebuilt.stack = like.stack;
  return rebuilt;
}

/** `file:line:col path: message [CODE]` for a serx error (by code), else the error's message. */
export function formatError(error: unknown): string {
  const serx = toSerxError(error);
  if (serx) return serx.format();
  return error instanceof Error ? error.message : String(error);
}

/**
 * An error as plain data that survives structured clone and JSON (a stage process's IPC, a
 * worker's port, a cluster job's log): message, stack, and for a serx error its code (with the
 * plugin code's registration, so the receiving side knows it even if it never loaded the module
 * that registered it), location and spec path; the cause chain likewise.
 */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  /** A plugin code's registration, sent along with it. */
  info?: Required<ErrorCodeInfo>;
  loc?: SourceLocation;
  specPath?: string;
  cause?: SerializedError;
}

export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error))
    return { name: 'Error', message: `threw a non-Error value: ${String(error)}` };
  const e = error as Error & { code?: unknown; loc?: SourceLocation; specPath?: string };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const info = code ? pluginCodes.get(code) : undefined;
  return {
    name: e.name,
    message: e.message,
    ...(e.stack ? { stack: e.stack } : {}),
    ...(code ? { code } : {}),
    ...(info ? { info: { ...info } } : {}),
    ...(isSerxError(e) && e.loc ? { loc: { ...e.loc } } : {}),
    ...(isSerxError(e) && e.specPath ? { specPath: e.specPath } : {}),
    ...(e.cause !== undefined && depth < 8 ? { cause: serializeError(e.cause, depth + 1) } : {}),
  };
}

/**
 * The error {@link serializeError} described: a `SerxError` with the same code, message,
 * location and stack when it was one (a plugin code sent with its registration is registered
 * here too), else an `Error` with its name, message, stack (and non-serx `code`, e.g. `ENOENT`).
 */
export function deserializeError(data: SerializedError): Error {
  const cause = data.cause ? deserializeError(data.cause) : undefined;
  if (data.code && data.info && !pluginCodes.has(data.code)) {
    const at = data.code.indexOf(':');
    try {
      defineErrorCodes(data.code.slice(0, at), { [data.code.slice(at + 1)]: data.info });
    } catch {
      // not a registrable code: the error is rebuilt as a plain one below, its code kept as data
    }
  }
  let error: Error;
  if (isKnownCode(data.code)) {
    error = new SerxError(data.code, data.message, {
      ...(data.loc ? { loc: data.loc } : {}),
      ...(data.specPath ? { specPath: data.specPath } : {}),
      ...(cause ? { cause } : {}),
    });
  } else {
    error = new Error(data.message, cause ? { cause } : undefined);
    error.name = data.name;
    if (data.code) Object.assign(error, { code: data.code });
  }
  if (data.stack) error.stack = data.stack;
  return error;
}

/**
 * The CLI exit status for an error code: 130 when interrupted; 2 when the user's input is wrong
 * (usage, spec, loading plugins, plugin codes registered with `exit: 2`); 1 for any other failure.
 */
export function exitCodeOf(code: string): number {
  if (code === 'INTERRUPTED') return 130;
  if (USAGE_CODES.has(code) || code.startsWith('SPEC_')) return 2;
  return pluginErrorCode(code)?.exit ?? 1;
}

/**
 * A short, printable quote of text that may be binary (a garbage lock file, a spec that is not
 * YAML): at most `max` characters, control and non-ASCII characters escaped (`\n`, `\x00`,
 * `\ufffd`), so an error message stays one short line whatever the file holds.
 */
export function quoteBytes(text: string, max = 40): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  const escaped = cut.replace(/[^\x20-\x7e]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    const code = c.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return text.length > max ? `'${escaped}…' (${text.length} characters)` : `'${escaped}'`;
}
