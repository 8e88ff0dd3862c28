import { layoutError } from './layout-error.ts';
import { defineCorpusReader } from './registry.ts';

const EMOTIONS: Record<string, string> = {
  angry: 'anger',
  disgust: 'disgust',
  fear: 'fear',
  happy: 'happiness',
  neutral: 'neutral',
  ps: 'pleasant-surprise',
  sad: 'sadness',
};
/** Speaker prefix tolerates the corpus's own `OA_bite_neutral` typo. */
const NAME = /^(OAF|OA|YAF)_(.+)_([a-z]+)$/i;

/**
 * TESS: `OAF_angry/OAF_back_angry.wav` — speaker (OAF / YAF), word, emotion (`ps` = pleasant
 * surprise). Folder names vary in case (`OAF_Fear`, `YAF_pleasant_surprised`) and are not used.
 */
export const tess = defineCorpusReader({
  name: 'tess',
  description: 'TESS, <OAF|YAF>_<emotion>/<speaker>_<word>_<emotion>.wav',
  labelled: true,
  labels: Object.values(EMOTIONS),
  // The paper's unseen corpus: never seen in training or validation.
  paperSplit: { rule: 'all-test', description: 'paper (TESS): whole corpus test' },
  parse(file) {
    const m = NAME.exec(file.stem);
    const code = m?.[3]?.toLowerCase();
    if (!m || !code || !EMOTIONS[code])
      throw layoutError('TESS', file.path, '<OAF|YAF>_<word>_<angry|disgust|fear|happy|neutral|ps|sad>');
    return {
      id: file.stem,
      speaker: m[1]!.toUpperCase() === 'YAF' ? 'YAF' : 'OAF',
      gender: 'female',
      label: EMOTIONS[code]!,
      rawLabel: code,
      text: m[2]!,
    };
  },
});
