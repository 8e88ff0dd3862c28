import type { CliIO } from '../contract.ts';

/** Prints the usage line for `--help` and returns exit code 0. */
export function printUsage(io: CliIO, usage: string): number {
  io.stdout.write(`usage: ${usage}\n`);
  return 0;
}
