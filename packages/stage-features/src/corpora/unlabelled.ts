import { speakerMatcher } from './speaker-pattern.ts';
import type { CorpusReader, Utterance } from './types.ts';
import { walkAudio } from './walk.ts';

/**
 * Any audio under root, unlabelled (e.g. interview clips). Speaker = `options.speaker`, else the
 * first capture group of `options.speakerPattern`, else the file's parent folder name.
 */
export const unlabelled: CorpusReader = {
  name: 'unlabelled',
  description:
    'every audio file under root, unlabelled; speaker from options.speaker / speakerPattern / parent folder',
  labelled: false,
  async read(root, corpus, options) {
    const speakerOf = speakerMatcher(options.speakerPattern);
    const rootName = root.split(/[\\/]/).filter(Boolean).at(-1) ?? 'unknown';
    const utterances: Utterance[] = (await walkAudio(root)).map((file) => ({
      id: file.rel.replace(/\.[^./]+$/, ''),
      corpus,
      path: file.path,
      speaker:
        options.speaker ?? (speakerOf ? speakerOf(file.stem, file.path) : (file.dirs.at(-1) ?? rootName)),
      label: null,
    }));
    return { utterances, sources: [] };
  },
};
