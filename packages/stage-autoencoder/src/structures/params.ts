import { type Json, SerxError, schemaValidator } from '@serx/core';
import { AutoencoderErrors } from '../errors.ts';
import type { EncoderStructure } from './registry.ts';

/**
 * The structure's params with its schema defaults applied (a new object). Invalid params are an
 * `ENCODER_STRUCTURE_INVALID` error naming the structure and each offending path.
 */
export function resolveStructureParams<P>(
  structure: EncoderStructure<P>,
  params: { [key: string]: Json } = {},
  specPath?: string,
): P {
  const validate = schemaValidator(structure.params, 'defaults');
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
