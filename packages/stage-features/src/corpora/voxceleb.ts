import { layoutError } from './layout-error.ts';
import { defineCorpusReader } from './registry.ts';

const SPEAKER = /^id\d+$/;
/** The flattened form of the VoxCeleb1 example clips: `<video>_<segment>`. */
const FLAT = /^(.+)_(\d+)$/;

/**
 * VoxCeleb1 `wav/id10001/<video>/00001.wav`, VoxCeleb2 `aac/id00012/<video>/00001.m4a`, and the
 * flattened `id10001/<video>_00001.<ext>` of the example clips (unlabelled). `root` may be the
 * corpus folder, its `wav`/`aac` folder, or a parent holding both.
 */
export const voxceleb = defineCorpusReader({
  name: 'voxceleb',
  description:
    'VoxCeleb1/2, [wav|aac]/idNNNNN/<video>/NNNNN.<wav|m4a> or idNNNNN/<video>_NNNNN.<ext> (unlabelled)',
  labelled: false,
  parse(file) {
    const [speaker, video, segment] = SPEAKER.test(file.dirs.at(-1) ?? '')
      ? [file.dirs.at(-1), FLAT.exec(file.stem)?.[1], FLAT.exec(file.stem)?.[2]]
      : [file.dirs.at(-2), file.dirs.at(-1), file.stem];
    if (!speaker || !video || !segment || !SPEAKER.test(speaker) || !/^\d+$/.test(segment)) {
      throw layoutError(
        'VoxCeleb',
        file.path,
        'idNNNNN/<video id>/NNNNN.<wav|m4a> or idNNNNN/<video id>_NNNNN.<ext>',
      );
    }
    return { id: `${speaker}/${video}/${segment}`, speaker };
  },
});
