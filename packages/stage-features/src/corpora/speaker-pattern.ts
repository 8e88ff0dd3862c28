import { ErrorCodes, SerxError } from '@serx/core/stage';

/** Compiles `options.speakerPattern`: the first capture group of a file name is its speaker. */
export function speakerMatcher(
  pattern: string | undefined,
): ((name: string, path: string) => string) | undefined {
  if (pattern === undefined) return undefined;
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch (cause) {
    throw new SerxError(
      ErrorCodes.INPUT_DATA,
      `speakerPattern '${pattern}' is not a valid regular expression`,
      {
        cause,
      },
    );
  }
  return (name, path) => {
    const speaker = regex.exec(name)?.[1];
    if (!speaker)
      throw new SerxError(
        ErrorCodes.INPUT_DATA,
        `${path}: file name does not match speakerPattern '${pattern}' (with one capture group)`,
      );
    return speaker;
  };
}
