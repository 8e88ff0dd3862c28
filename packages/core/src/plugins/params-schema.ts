/**
 * Stage params validators: all errors, defaults applied, the path formats known, compiled once per
 * schema content (validators.ts keeps ajv's compiled code between processes).
 */

import type { Ajv } from 'ajv';
import type { JsonSchema, StageDefinition } from '../contract.ts';
import { PATH_FORMAT_CHECKS, schemaValidator, type Validator } from './validators.ts';

/**
 * Adds the `path`, `existing-path`, `existing-directory` and `existing-file` formats to an ajv
 * instance of a plugin's own (its test contexts); serx's own validators have them.
 */
export function addPathFormats(instance: Ajv): void {
  for (const [name, check] of Object.entries(PATH_FORMAT_CHECKS)) instance.addFormat(name, check);
}

/** Formats whose strings are file system paths, resolved against the directory of the spec file. */
export const PATH_FORMATS = new Set(Object.keys(PATH_FORMAT_CHECKS));

const compiled = new WeakMap<StageDefinition, Validator>();

/**
 * Strict schemas: a misspelt keyword (`minimun`) in a plugin's params schema is an error at
 * registration instead of a constraint silently not checked.
 */
export function paramsValidator(definition: StageDefinition): Validator {
  let validate = compiled.get(definition);
  if (!validate) {
    validate = schemaValidator(closedParams(definition.params), 'params');
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
