import { layoutError } from './layout-error.ts';
import { defineCorpusReader } from './registry.ts';

const SPEAKER = /^id\d+$/;
/**
 * The flattened form of the VoxCeleb1 example clips: `<video>_<segment>`, with `_segNN` when a
 * long clip was cut into pieces (the shared copy cuts clips over 20 s).
 */
const FLAT = /^(.+)_(\d+)((?:_seg\d+)?)$/;

/**
 * VoxCeleb1 `wav/id10001/<video>/00001.wav`, VoxCeleb2 `aac/id00012/<video>/00001.m4a`, and the
 * flattened `id10001/<video>_00001[_seg00].<ext>` of the example clips (unlabelled). `root` may be the
 * corpus folder, its `wav`/`aac` folder, or a parent holding both.
 */
export const voxceleb = defineCorpusReader({
  name: 'voxceleb',
  description:
    'VoxCeleb1/2, [wav|aac]/idNNNNN/<video>/NNNNN.<wav|m4a> or idNNNNN/<video>_NNNNN[_segNN].<ext> (unlabelled)',
  labelled: false,
  parse(file) {
    const flat = SPEAKER.test(file.dirs.at(-1) ?? '') ? FLAT.exec(file.stem) : undefined;
    const [speaker, video, segment, piece] =
      flat === undefined
        ? [file.dirs.at(-2), file.dirs.at(-1), file.stem, '']
        : [file.dirs.at(-1), flat?.[1], flat?.[2], flat?.[3]];
    if (!speaker || !video || !segment || !SPEAKER.test(speaker) || !/^\d+$/.test(segment)) {
      throw layoutError(
        'VoxCeleb',
        file.path,
        'idNNNNN/<video id>/NNNNN.<wav|m4a> or idNNNNN/<video id>_NNNNN.<ext>',
      );
    }
    return { id: `${speaker}/${video}/${segment}${piece ?? ''}`, speaker };
  },
});
