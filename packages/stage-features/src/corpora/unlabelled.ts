import { defineCorpusReader } from './registry.ts';
import { speakerMatcher } from './speaker-pattern.ts';

export interface UnlabelledOptions {
  /** One speaker for every file. */
  speaker?: string;
  /** Regex whose first capture group of the file name is the speaker. */
  speakerPattern?: string;
}

/**
 * Any audio under root, unlabelled (interview clips, read speech, field recordings...). Speaker =
 * `options.speaker`, else the first capture group of `options.speakerPattern`, else the file's
 * parent folder name (the root's own name for files directly under it).
 */
export const unlabelled = defineCorpusReader<UnlabelledOptions>({
  name: 'unlabelled',
  description:
    'every audio file under root, unlabelled; speaker from options.speaker / speakerPattern / parent folder',
  labelled: false,
  options: {
    type: 'object',
    additionalProperties: false,
    properties: { speaker: { type: 'string', minLength: 1 }, speakerPattern: { type: 'string' } },
  },
  parse(file, options) {
    const fromName = speakerMatcher(options.speakerPattern);
    const speaker =
      options.speaker ?? (fromName ? fromName(file.stem, file.path) : (file.dirs.at(-1) ?? rootName(file)));
    return { speaker };
  },
});

function rootName(file: { path: string; rel: string }): string {
  const root = file.path.slice(0, file.path.length - file.rel.length);
  return root.split(/[\\/]/).filter(Boolean).at(-1) ?? 'unknown';
}
