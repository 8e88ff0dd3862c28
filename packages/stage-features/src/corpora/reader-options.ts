import { SerxError } from '@serx/core';
import { Ajv, type ValidateFunction } from 'ajv';
import { FeaturesErrors } from '../errors.ts';
import type { CorpusReader } from './registry.ts';

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();
const NO_OPTIONS = { type: 'object', additionalProperties: false, properties: {} };

/**
 * The reader's options with its schema defaults applied (a new object). Options the reader does
 * not declare, or that fail its schema, are READER_OPTIONS naming the reader and each path.
 */
export function readerOptions<O>(reader: CorpusReader<O>, options: Record<string, unknown> = {}): O {
  const schema = reader.options ?? NO_OPTIONS;
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  const resolved = structuredClone(options);
  if (!validate(resolved)) {
    const issues = (validate.errors ?? [])
      .map((e) =>
        e.keyword === 'additionalProperties'
          ? `options${e.instancePath.replaceAll('/', '.')}.${String(e.params.additionalProperty)} is not an option of this reader`
          : `options${e.instancePath.replaceAll('/', '.')} ${e.message ?? 'is invalid'}`,
      )
      .join('; ');
    const known = Object.keys((schema.properties as object | undefined) ?? {});
    throw new SerxError(
      FeaturesErrors.READER_OPTIONS,
      `corpus reader '${reader.name}': ${issues} (its options: ${known.join(', ') || 'none'})`,
    );
  }
  return resolved as O;
}
