import type { CliIO } from '../contract.ts';
import { exitCodeOf, isSerxError } from '../errors.ts';

/** Prints an error the way every serx error is printed and returns the exit code. */
export function reportError(error: unknown, io: CliIO): number {
  if (isSerxError(error)) {
    io.stderr.write(`${error.format()}\n`);
    if (error.code === 'INTERNAL') io.stderr.write(`this is a bug in serx or a plugin:\n${error.stack}\n`);
    return exitCodeOf(error.code);
  }
  io.stderr.write(
    `serx: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
}
