/**
 * One ajv instance for stage params: all errors, defaults applied, the path formats known.
 * Validators are compiled once per stage definition.
 */

import { statSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import { Ajv } from 'ajv';
import type { JsonSchema, StageDefinition } from '../contract.ts';

// Strict schemas: a misspelt keyword (`minimun`) in a plugin's params schema is an error at
// registration instead of a constraint silently not checked.
const ajv = new Ajv({
  allErrors: true,
  useDefaults: true,
  strict: true,
  strictTypes: false,
  strictTuples: false,
  allowUnionTypes: true,
});
addPathFormats(ajv);

/**
 * `path`, and `existing-path` / `existing-directory` / `existing-file`, checked on paths already
 * resolved against the spec file (validate-params.ts). Exported for plugins' test contexts.
 */
export function addPathFormats(instance: Ajv): void {
  const kind = (value: string) => statSync(value, { throwIfNoEntry: false });
  instance.addFormat('path', (value: string) => value.length > 0);
  instance.addFormat('existing-path', (value: string) => kind(value) !== undefined);
  instance.addFormat('existing-directory', (value: string) => kind(value)?.isDirectory() === true);
  instance.addFormat('existing-file', (value: string) => kind(value)?.isFile() === true);
}

/** Formats whose strings are file system paths, resolved against the directory of the spec file. */
export const PATH_FORMATS = new Set(['path', 'existing-path', 'existing-directory', 'existing-file']);

const compiled = new WeakMap<StageDefinition, ValidateFunction>();

export function paramsValidator(definition: StageDefinition): ValidateFunction {
  let validate = compiled.get(definition);
  if (!validate) {
    validate = ajv.compile(closedParams(definition.params));
    compiled.set(definition, validate);
  }
  return validate;
}

/** The contract makes unknown params errors: a params schema that does not say otherwise is closed. */
export function closedParams(schema: JsonSchema): JsonSchema {
  if (schema.properties && !('additionalProperties' in schema) && !('unevaluatedProperties' in schema)) {
    return { ...schema, additionalProperties: false };
  }
  return schema;
}
