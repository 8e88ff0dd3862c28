import { layoutError } from './layout-error.ts';
import { speakerMatcher } from './speaker-pattern.ts';
import type { CorpusReader, Utterance } from './types.ts';
import { walkAudio } from './walk.ts';

/**
 * Generic labelled corpus: `<root>/<label>/<file>` (label = the folder name, lower-cased). The
 * speaker comes from `options.speakerPattern` applied to the file name, else it is `unknown`.
 */
export const folderPerLabel: CorpusReader = {
  name: 'folder-per-label',
  description: '<label>/<file>; speaker from options.speakerPattern (first capture group of the file name)',
  labelled: true,
  async read(root, corpus, options) {
    const speakerOf = speakerMatcher(options.speakerPattern);
    const utterances: Utterance[] = [];
    for (const file of await walkAudio(root)) {
      if (file.dirs.length !== 1) throw layoutError('folder-per-label', file.path, '<root>/<label>/<file>');
      const folder = file.dirs[0]!;
      utterances.push({
        id: file.rel.replace(/\.[^./]+$/, ''),
        corpus,
        path: file.path,
        speaker: speakerOf ? speakerOf(file.stem, file.path) : 'unknown',
        label: folder.toLowerCase(),
        rawLabel: folder,
      });
    }
    return { utterances, sources: [] };
  },
};
