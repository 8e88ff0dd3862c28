import { type Json, SerxError } from '@serx/core';
import { Ajv, type ValidateFunction } from 'ajv';
import { AutoencoderErrors } from '../errors.ts';
import type { EncoderStructure } from './registry.ts';

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

/**
 * The structure's params with its schema defaults applied (a new object). Invalid params are an
 * `ENCODER_STRUCTURE_INVALID` error naming the structure and each offending path.
 */
export function resolveStructureParams<P>(
  structure: EncoderStructure<P>,
  params: { [key: string]: Json } = {},
  specPath?: string,
): P {
  let validate = compiled.get(structure.params);
  if (!validate) {
    validate = ajv.compile(structure.params);
    compiled.set(structure.params, validate);
  }
  const resolved = structuredClone(params);
  if (!validate(resolved)) {
    const issues = (validate.errors ?? [])
      .map((e) =>
        e.keyword === 'additionalProperties'
          ? `${e.instancePath}/${String(e.params.additionalProperty)} is not a param of this structure`
          : `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
      )
      .join('; ');
    throw new SerxError(
      AutoencoderErrors.ENCODER_STRUCTURE_INVALID,
      `params of encoder structure '${structure.name}': ${issues}`,
      specPath === undefined ? {} : { specPath },
    );
  }
  return resolved as P;
}
