/** A command stage's outputs, checked against their declared artifact types before publishing. */
import { readdir } from 'node:fs/promises';
import { SerxError } from '../errors.ts';
import { artifactType, artifactTypeNames } from '../plugins/artifact-types.ts';
import { CommandErrors } from './errors.ts';

/** The check of `type`, or OUTPUT_TYPE naming the known types. */
export function checkedType(output: string, type: string) {
  const found = artifactType(type);
  if (found) return found;
  throw new SerxError(
    CommandErrors.OUTPUT_TYPE,
    `output '${output}' has type '${type}', which no loaded plugin defines (types: ${artifactTypeNames().join(', ')}); use one of them, or 'files' for anything else`,
  );
}

/** Throws OUTPUT_INVALID for the first output that is empty or fails its type's check. */
export async function checkOutputs(
  outputs: { readonly [name: string]: string },
  types: { readonly [name: string]: string },
): Promise<void> {
  for (const [name, dir] of Object.entries(outputs)) {
    const type = types[name] ?? 'files';
    const check = checkedType(name, type);
    const problem =
      (await readdir(dir)).length === 0
        ? `the command wrote nothing into it (pass it as {outputs.${name}})`
        : await check.validate(dir);
    if (problem)
      throw new SerxError(
        CommandErrors.OUTPUT_INVALID,
        `output '${name}' is not a valid ${type} artifact: ${problem}`,
      );
  }
}
