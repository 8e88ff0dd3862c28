import { layoutError } from './layout-error.ts';
import type { CorpusReader, Utterance } from './types.ts';
import { walkAudio } from './walk.ts';

const SPEAKER = /^id\d+$/;

/**
 * VoxCeleb1 `wav/id10001/<video>/00001.wav` and VoxCeleb2 `aac/id00012/<video>/00001.m4a`
 * (unlabelled). `root` may be the corpus folder, its `wav`/`aac` folder, or a parent holding both.
 */
export const voxceleb: CorpusReader = {
  name: 'voxceleb',
  description: 'VoxCeleb1/2, [wav|aac]/idNNNNN/<video>/NNNNN.<wav|m4a> (unlabelled)',
  labelled: false,
  async read(root, corpus) {
    const utterances: Utterance[] = [];
    for (const file of await walkAudio(root)) {
      const dirs = file.dirs;
      const speaker = dirs.at(-2);
      const video = dirs.at(-1);
      if (!speaker || !video || !SPEAKER.test(speaker) || !/^\d+$/.test(file.stem)) {
        throw layoutError('VoxCeleb', file.path, 'idNNNNN/<video id>/NNNNN.<wav|m4a>');
      }
      utterances.push({
        id: `${speaker}/${video}/${file.stem}`,
        corpus,
        path: file.path,
        speaker,
        label: null,
      });
    }
    return { utterances, sources: [] };
  },
};
