import { defineErrorCodes } from '../errors.ts';

/** Error codes of the built-in `command` stage. */
export const CommandErrors = defineErrorCodes('command', {
  /** An output of a command stage fails the check of its declared artifact type (the output and the problem in the message). */
  OUTPUT_INVALID: { description: 'a command output is not a valid artifact of its declared type' },
  /** A spec declares a command output with a type no loaded plugin defines (the known types are listed). */
  OUTPUT_TYPE: { description: 'a command output names an unknown artifact type', exit: 2 },
  /** `params.run` names a placeholder that is not an input, output or param of the stage, or is malformed. */
  PLACEHOLDER: { description: 'a placeholder in params.run names nothing the stage has', exit: 2 },
});
