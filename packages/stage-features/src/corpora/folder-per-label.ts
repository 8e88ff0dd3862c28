import { layoutError } from './layout-error.ts';
import { defineCorpusReader } from './registry.ts';
import { speakerMatcher } from './speaker-pattern.ts';

export interface FolderPerLabelOptions {
  /** Regex whose first capture group of the file name is the speaker. */
  speakerPattern?: string;
}

/**
 * Generic labelled corpus: `<root>/<label>/<file>` (label = the folder name, lower-cased). The
 * speaker comes from `options.speakerPattern` applied to the file name, else it is `unknown`.
 * Its labels come from the data, so the mapping is checked row by row.
 */
export const folderPerLabel = defineCorpusReader<FolderPerLabelOptions>({
  name: 'folder-per-label',
  description: '<label>/<file>; speaker from options.speakerPattern (first capture group of the file name)',
  labelled: true,
  options: {
    type: 'object',
    additionalProperties: false,
    properties: { speakerPattern: { type: 'string' } },
  },
  parse(file, options) {
    if (file.dirs.length !== 1) throw layoutError('folder-per-label', file.path, '<root>/<label>/<file>');
    const folder = file.dirs[0]!;
    const speakerOf = speakerMatcher(options.speakerPattern);
    return {
      speaker: speakerOf ? speakerOf(file.stem, file.path) : 'unknown',
      label: folder.toLowerCase(),
      rawLabel: folder,
    };
  },
});
