import { layoutError } from './layout-error.ts';
import { defineCorpusReader } from './registry.ts';

const NAME = /^(\d+)-(\d+)-(\d+)$/;

/** LibriSpeech-style unlabelled speech: `<speaker>-<chapter>-<utt>.<ext>` anywhere under root. */
export const librispeech = defineCorpusReader({
  name: 'librispeech',
  description:
    'LibriSpeech-style, [<speaker>/[<chapter>/]]<speaker>-<chapter>-<utt>.<flac|opus> (unlabelled)',
  labelled: false,
  parse(file) {
    const m = NAME.exec(file.stem);
    if (!m) throw layoutError('LibriSpeech', file.path, '<speaker>-<chapter>-<utterance>');
    return { id: file.stem, speaker: m[1]! };
  },
});
