import type { CliIO } from '../contract.ts';
import { exitCodeOf, toSerxError } from '../errors.ts';

/** Prints an error the way every serx error is printed and returns the exit code. */
export function reportError(error: unknown, io: CliIO): number {
  // recognised by code: also a serx error made by another copy of @serx/core (a plugin's own)
  const serx = toSerxError(error);
  if (serx) {
    io.stderr.write(`${serx.format()}\n`);
    if (serx.code === 'INTERNAL') io.stderr.write(`this is a bug in serx or a plugin:\n${serx.stack}\n`);
    return exitCodeOf(serx.code);
  }
  io.stderr.write(
    `serx: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return exitCodeOf('INTERNAL');
}
