import { SerxError, schemaValidator } from '@serx/core/stage';
import { FeaturesErrors } from '../errors.ts';
import type { CorpusReader } from './registry.ts';

const NO_OPTIONS = { type: 'object', additionalProperties: false, properties: {} };

/**
 * The reader's options with its schema defaults applied (a new object). Options the reader does
 * not declare, or that fail its schema, are READER_OPTIONS naming the reader and each path.
 */
export function readerOptions<O>(reader: CorpusReader<O>, options: Record<string, unknown> = {}): O {
  const schema = reader.options ?? NO_OPTIONS;
  const validate = schemaValidator(schema, 'defaults');
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
