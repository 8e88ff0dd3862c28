import { type ParseArgsConfig, parseArgs } from 'node:util';
import { SerxError } from '../errors.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true; tokens: true }>
>;

/** `parseArgs` (strict) whose mistakes are USAGE errors carrying the command's usage line. */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, usage: string): Parsed<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw new SerxError('USAGE', `${(error as Error).message}\nusage: ${usage}`);
  }
}

export function usageError(message: string, usage: string): SerxError {
  return new SerxError('USAGE', `${message}\nusage: ${usage}`);
}

export function positiveInt(value: string | undefined, flag: string, usage: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw usageError(`${flag} must be a positive integer, got '${value}'`, usage);
  return n;
}

/** Options every spec-reading command accepts. */
export const specOptions = {
  cache: { type: 'string' },
  plugin: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  set: { type: 'string', multiple: true },
  matrix: { type: 'string', multiple: true },
} as const;

/** Usage text of the override flags, for the commands' usage lines. */
export const OVERRIDE_USAGE = '[--set PATH=VALUE]... [--matrix AXIS=v1,v2]...';
