import { statSync } from 'node:fs';
import { SerxError } from '@serx/core/stage';
import { readerOptions } from '../corpora/reader-options.ts';
import { type CorpusReader, getCorpusReader } from '../corpora/registry.ts';
import type { ReadResult } from '../corpora/types.ts';
import { FeaturesErrors } from '../errors.ts';

/** What `features:ingest` needs to read a corpus (its params). */
export interface CorpusSource {
  corpus: string;
  reader?: string;
  root: string;
  optional?: boolean;
  options?: Record<string, unknown>;
}

/**
 * The reader a spec names, with its options checked against the reader's schema and its root of
 * the kind it reads (a folder, or a file for a manifest). Cheap and synchronous: the ingest stage
 * calls it when the spec is loaded, so a wrong reader, option or root fails before anything runs.
 */
export function checkedReader(source: CorpusSource): {
  reader: CorpusReader<unknown>;
  options: unknown;
  absent: boolean;
} {
  const reader = getCorpusReader(source.reader ?? source.corpus);
  const options = readerOptions(reader, source.options);
  const kind = rootKind(source.root);
  if (kind === undefined && source.optional) return { reader, options, absent: true };
  const wanted = reader.root ?? 'folder';
  if (kind !== wanted) {
    throw new SerxError(
      FeaturesErrors.READER_OPTIONS,
      `root ${source.root} ${kind === undefined ? 'does not exist' : `is a ${kind}`}; reader '${reader.name}' reads a ${wanted}${source.optional ? '' : ' (optional: true allows an absent corpus)'}`,
    );
  }
  return { reader, options, absent: false };
}

/**
 * Reads the corpus. Finding no utterance is CORPUS_EMPTY naming the root and the reader (a
 * wrong root, reader or layout would otherwise pass as an empty corpus), unless the source is
 * `optional`: then the caller warns.
 */
export async function readCorpus(
  source: CorpusSource,
): Promise<ReadResult & { reader: CorpusReader<unknown> }> {
  const { reader, options } = checkedReader(source);
  const result = await reader.read(source.root, source.corpus, options);
  if (result.utterances.length === 0 && !source.optional) {
    throw new SerxError(
      FeaturesErrors.CORPUS_EMPTY,
      `${source.root}: reader '${reader.name}' found no utterances for corpus '${source.corpus}' (expected ${reader.description}); check root and reader, or set optional: true to allow an empty corpus`,
    );
  }
  if (reader.labels) {
    const vocabulary = new Set(reader.labels);
    const stray = result.utterances.find((u) => u.label !== null && !vocabulary.has(u.label));
    if (stray)
      throw new SerxError(
        FeaturesErrors.READER_INVALID,
        `${stray.path}: reader '${reader.name}' gave label '${stray.label}', which is not in its declared labels (${reader.labels.join(', ')}); add it to the reader's labels`,
      );
  }
  return { ...result, reader };
}

function rootKind(path: string): 'folder' | 'file' | undefined {
  const s = statSync(path, { throwIfNoEntry: false });
  return s === undefined ? undefined : s.isDirectory() ? 'folder' : 'file';
}
