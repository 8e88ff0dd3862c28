import { emodb } from './emodb.ts';
import { emovo } from './emovo.ts';
import { folderPerLabel } from './folder-per-label.ts';
import { iemocap } from './iemocap.ts';
import { librispeech } from './librispeech.ts';
import { manifest } from './manifest.ts';
import { ravdess } from './ravdess.ts';
import { registerCorpusReader } from './registry.ts';
import { savee } from './savee.ts';
import { tess } from './tess.ts';
import { unlabelled } from './unlabelled.ts';
import { voxceleb } from './voxceleb.ts';

/** The readers this package ships; registered by its plugin's `register()`. */
export const builtinReaders = [
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
];

export function registerBuiltinReaders(): void {
  for (const reader of builtinReaders) registerCorpusReader(reader);
}
