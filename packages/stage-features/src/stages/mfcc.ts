import {
  defineStage,
  ErrorCodes,
  type InputSpecs,
  paramsSchema,
  SerxError,
  type StageContext,
  type StageResult,
} from '@serx/core/stage';
import { mfccKernelSource } from '../mfcc/native-kernel.ts';
import type { PadMode } from '../mfcc/normalise.ts';
import type { MfccOptions } from '../mfcc/options.ts';
import { type MfccPresetName, mfccPresets } from '../mfcc/presets.ts';
import {
  type NormaliseMode,
  normaliseMode,
  normaliseSchema,
  type StatsFrom,
  statsFromSchema,
} from '../normalisation/mode.ts';
import { type OnBadAudio, onBadAudioSchema } from './bad-audio-policy.ts';
import { mfccShards } from './mfcc-shards.ts';

export interface MfccParams {
  preset?: MfccPresetName;
  options?: Partial<
    Pick<
      MfccOptions,
      | 'numCeps'
      | 'winLength'
      | 'hopLength'
      | 'nfft'
      | 'numFilters'
      | 'lowFreq'
      | 'highFreq'
      | 'preEmphasis'
      | 'lifter'
      | 'sampleRate'
      | 'window'
    >
  >;
  normalise?: NormaliseMode | boolean;
  statsFrom?: StatsFrom;
  minFrames?: number;
  pad?: PadMode;
  onBadAudio?: OnBadAudio;
}

const int = { type: 'integer', minimum: 1 } as const;

const inputs = {
  utterances: { type: 'utterances' },
  statistics: {
    type: 'mfcc-statistics',
    many: true,
    optional: true,
    // Statistics fit the normalisation of every row of this stage: a held-out corpus's must never arrive here.
    fits: true,
    description:
      'train-partition statistics of other corpora (normalise: corpus, statsFrom: training-corpora)',
  },
} as const satisfies InputSpecs;

/**
 * `features:mfcc`: decode + resample + MFCC for every utterance in `ctx.threads` worker threads,
 * normalisation (per utterance, speaker or corpus, or none) and padding, written in input order
 * to a feature store; plus the raw-MFCC statistics of the corpus's train partition.
 */
export const mfcc = defineStage({
  name: 'features:mfcc',
  // 2: the `statistics` output and the normalisation choices (utterance/none stores are unchanged).
  version: '2',
  description:
    'MFCCs (paper: 40 coefficients, 25 ms / 10 ms, per-utterance normalisation, ≥100 frames) into a feature store',
  params: paramsSchema<MfccParams>({
    type: 'object',
    additionalProperties: false,
    properties: {
      preset: { enum: Object.keys(mfccPresets), default: 'python_speech_features' },
      options: {
        type: 'object',
        additionalProperties: false,
        description: 'Overrides of the preset',
        properties: {
          numCeps: int,
          winLength: int,
          hopLength: int,
          nfft: int,
          numFilters: int,
          sampleRate: int,
          lowFreq: { type: 'number', minimum: 0 },
          highFreq: { type: ['number', 'null'] },
          preEmphasis: { type: 'number', minimum: 0, maximum: 1 },
          lifter: { type: 'number', minimum: 0 },
          window: { enum: ['hamming', 'hann', 'povey', 'rectangular'] },
        },
      },
      normalise: normaliseSchema,
      statsFrom: statsFromSchema,
      minFrames: {
        type: 'integer',
        minimum: 0,
        default: 100,
        description: 'Pad shorter utterances at the end to this many frames',
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
    features: { type: 'features', description: 'feature store (docs/stages.md)' },
    statistics: {
      type: 'mfcc-statistics',
      description: 'statistics.json: raw-MFCC mean/std of the train partition',
    },
  },
  resources: { class: 'cpu-heavy' },
  // the C MFCC kernel is loaded with require(), outside the import graph the key follows
  codeDependencies: () => [mfccKernelSource, mfccShards],
  corpora(params, inputs) {
    const mode = normaliseMode(params.normalise);
    if (mode === 'corpus' && params.statsFrom === 'training-corpora' && !inputs.statistics) {
      throw new SerxError(
        ErrorCodes.SPEC_INPUT_MISSING,
        "normalise: corpus with statsFrom: training-corpora needs the 'statistics' input wired (e.g. [mfcc_emodb.statistics, ...])",
      );
    }
    return [...new Set(Object.values(inputs).flat())];
  },
  // The implementation is imported when the stage runs, not when the plugin loads (start-up).
  run: async (ctx): Promise<StageResult | undefined> => (await import('./mfcc-run.ts')).runMfcc(ctx),
});

/** What the stage's run (mfcc-run.ts) receives. */
export type MfccContext = StageContext<MfccParams, typeof inputs>;
