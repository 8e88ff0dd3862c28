import { ErrorCodes, SerxError } from '@serx/core/stage';

/** INPUT_DATA error for a file that does not follow its corpus's naming scheme. */
export function layoutError(corpus: string, path: string, expected: string): SerxError {
  return new SerxError(
    ErrorCodes.INPUT_DATA,
    `${path}: file name does not follow the ${corpus} layout (expected ${expected})`,
  );
}
