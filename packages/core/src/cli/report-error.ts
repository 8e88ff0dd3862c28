import type { CliIO } from '../contract.ts';
import { isSerxError } from '../errors.ts';

/** Spec and command-line mistakes exit 2; anything else that goes wrong is a failure (1). */
export const isUsageCode = (code: string) =>
  code === 'USAGE' || code.startsWith('SPEC_') || code.startsWith('PLUGIN_');

/** Prints an error the way every serx error is printed and returns the exit code. */
export function reportError(error: unknown, io: CliIO): number {
  if (isSerxError(error)) {
    io.stderr.write(`${error.format()}\n`);
    if (error.code === 'INTERRUPTED') return 130;
    return isUsageCode(error.code) ? 2 : 1;
  }
  io.stderr.write(
    `serx: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
}
