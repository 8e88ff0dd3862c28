import { fileURLToPath } from 'node:url';
import {
  defineStage,
  ErrorCodes,
  type InputSpecs,
  paramsSchema,
  SerxError,
  type StageContext,
  type StageResult,
} from '@serx/core/stage';
import { statsFromSchema } from '../normalisation/mode.ts';
import { FEATURE_SETS } from '../opensmile/feature-sets.ts';
import { opensmileFingerprint } from '../opensmile/fingerprint.ts';
import { type OpensmileParams, shapeOf } from '../opensmile/options.ts';
import { onBadAudioSchema } from './bad-audio-policy.ts';

const inputs = {
  utterances: { type: 'utterances' },
  statistics: {
    type: 'opensmile-statistics',
    many: true,
    optional: true,
    // Statistics fit the normalisation of every row of this stage: a held-out corpus's must never arrive here.
    fits: true,
    description:
      'train-partition statistics of other corpora, same feature set and level (normalise: corpus, statsFrom: training-corpora)',
  },
} as const satisfies InputSpecs;

/** The addon's C source: loaded with require(), outside the import graph the cache key follows. */
const addonSource = fileURLToPath(new URL('../../native/opensmile-addon.c', import.meta.url));

/**
 * `features:opensmile`: openSMILE's own feature sets (eGeMAPS, GeMAPS, ComParE 2016, emobase) for
 * every utterance, LLD frames or per-utterance functionals, computed by libSMILEapi itself (the
 * `opensmile` wheel's, provisioned by `serx setup --with opensmile`) in worker threads; then the
 * normalisation, padding, statistics and store of `features:mfcc`.
 */
export const opensmile = defineStage({
  name: 'features:opensmile',
  version: '1',
  description:
    'openSMILE features (eGeMAPSv02 | GeMAPSv01b | ComParE_2016 | emobase; LLD frames or functionals) into a feature store',
  params: paramsSchema<OpensmileParams>({
    type: 'object',
    additionalProperties: false,
    properties: {
      featureSet: { enum: Object.keys(FEATURE_SETS), default: 'eGeMAPSv02' },
      level: {
        enum: ['lld', 'functionals'],
        default: 'functionals',
        description: 'lld: frames × n low-level descriptors (10 ms step); functionals: one row per utterance',
      },
      sampleRate: { type: 'integer', minimum: 8000, default: 16000 },
      normalise: {
        description:
          'as features:mfcc: utterance | speaker | corpus | none (true = utterance, false = none); default utterance for lld, none for functionals',
        oneOf: [{ enum: ['utterance', 'speaker', 'corpus', 'none'] }, { type: 'boolean' }],
      },
      statsFrom: statsFromSchema,
      minFrames: {
        type: 'integer',
        minimum: 0,
        description: 'level: lld: pad shorter utterances at the end to this many frames (default 100)',
      },
      pad: {
        enum: ['zero', 'repeat', 'edge'],
        default: 'zero',
        description: 'Padding fill (zero = the normalisation mean; the raw zero with normalise: none)',
      },
      onBadAudio: onBadAudioSchema,
    },
  }),
  inputs,
  outputs: {
    features: { type: 'features', description: 'feature store (docs/stages.md), column names in meta.json' },
    statistics: {
      type: 'opensmile-statistics',
      description: 'statistics.json: raw-feature mean/std of the train partition',
    },
  },
  resources: { class: 'cpu-heavy' },
  codeDependencies: () => [addonSource],
  fingerprint: () => opensmileFingerprint(),
  corpora(params, inputs) {
    const { mode } = shapeOf(params);
    if (mode === 'corpus' && params.statsFrom === 'training-corpora' && !inputs.statistics) {
      throw new SerxError(
        ErrorCodes.SPEC_INPUT_MISSING,
        "normalise: corpus with statsFrom: training-corpora needs the 'statistics' input wired (e.g. [egemaps_emodb.statistics, ...])",
      );
    }
    return [...new Set(Object.values(inputs).flat())];
  },
  // The implementation is imported when the stage runs, not when the plugin loads (start-up).
  run: async (ctx): Promise<StageResult | undefined> =>
    (await import('./opensmile-run.ts')).runOpensmile(ctx),
});

/** What the stage's run (opensmile-run.ts) receives. */
export type OpensmileContext = StageContext<OpensmileParams, typeof inputs>;
