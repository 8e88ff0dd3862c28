import { SerxError } from '@serx/core';
import { emodb } from './emodb.ts';
import { emovo } from './emovo.ts';
import { folderPerLabel } from './folder-per-label.ts';
import { iemocap } from './iemocap.ts';
import { librispeech } from './librispeech.ts';
import { manifest } from './manifest.ts';
import { ravdess } from './ravdess.ts';
import { savee } from './savee.ts';
import { tess } from './tess.ts';
import type { CorpusReader } from './types.ts';
import { unlabelled } from './unlabelled.ts';
import { voxceleb } from './voxceleb.ts';

/** Every built-in reader by name (the `reader` param of `features:ingest`). */
export const READERS: ReadonlyMap<string, CorpusReader> = new Map(
  [
    emodb,
    emovo,
    savee,
    ravdess,
    tess,
    iemocap,
    voxceleb,
    librispeech,
    folderPerLabel,
    manifest,
    unlabelled,
  ].map((r) => [r.name, r]),
);

export function getReader(name: string): CorpusReader {
  const reader = READERS.get(name);
  if (!reader)
    throw new SerxError(
      'USAGE',
      `unknown corpus reader '${name}' (known: ${[...READERS.keys()].join(', ')})`,
    );
  return reader;
}
