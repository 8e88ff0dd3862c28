import { layoutError } from './layout-error.ts';
import type { CorpusReader, Utterance } from './types.ts';
import { walkAudio } from './walk.ts';

const NAME = /^(\d+)-(\d+)-(\d+)$/;

/** LibriSpeech-style unlabelled speech: `<speaker>-<chapter>-<utt>.<ext>` anywhere under root. */
export const librispeech: CorpusReader = {
  name: 'librispeech',
  description:
    'LibriSpeech-style, [<speaker>/[<chapter>/]]<speaker>-<chapter>-<utt>.<flac|opus> (unlabelled)',
  labelled: false,
  async read(root, corpus) {
    const utterances: Utterance[] = [];
    for (const file of await walkAudio(root)) {
      const m = NAME.exec(file.stem);
      if (!m) throw layoutError('LibriSpeech', file.path, '<speaker>-<chapter>-<utterance>');
      utterances.push({ id: file.stem, corpus, path: file.path, speaker: m[1]!, label: null });
    }
    return { utterances, sources: [] };
  },
};
