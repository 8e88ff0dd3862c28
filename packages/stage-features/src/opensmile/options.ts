import { type Artifact, ErrorCodes, SerxError } from '@serx/core/stage';
import { FeaturesErrors } from '../errors.ts';
import type { PadMode } from '../mfcc/index.ts';
import { type NormaliseMode, normaliseMode, type StatsFrom } from '../normalisation/mode.ts';
import type { OnBadAudio } from '../stages/bad-audio-policy.ts';
import type { FeatureSetName, OpensmileLevel } from './feature-sets.ts';

export interface OpensmileParams {
  featureSet: FeatureSetName;
  level: OpensmileLevel;
  /** Rate the audio is resampled to before openSMILE (its configs work at any rate). */
  sampleRate: number;
  /** Default: `utterance` for `lld` (as MFCCs), `none` for `functionals` (classifiers standardise them). */
  normalise?: NormaliseMode | boolean;
  statsFrom?: StatsFrom;
  /** `lld` only (default 100, as MFCCs); a functionals row is one frame. */
  minFrames?: number;
  pad?: PadMode;
  onBadAudio?: OnBadAudio;
}

/** Normalisation, padding and their defaults for a level; a spec asking for what a level cannot do is refused. */
export function shapeOf(params: OpensmileParams): { mode: NormaliseMode; minFrames: number; pad: PadMode } {
  const functionals = params.level === 'functionals';
  const mode =
    params.normalise === undefined ? (functionals ? 'none' : 'utterance') : normaliseMode(params.normalise);
  if (functionals && mode === 'utterance')
    throw new SerxError(
      FeaturesErrors.NORMALISATION,
      'features:opensmile: normalise: utterance with level: functionals would z-normalise each one-row utterance by itself (all zeros); use none (the default), speaker or corpus',
    );
  if (functionals && (params.minFrames ?? 1) > 1)
    throw new SerxError(
      ErrorCodes.SPEC_PARAMS,
      'features:opensmile: minFrames applies to level: lld; a functionals row is one frame per utterance',
    );
  return { mode, minFrames: functionals ? 1 : (params.minFrames ?? 100), pad: params.pad ?? 'zero' };
}

/** Statistics of another feature set or level would normalise these columns with others' moments. */
export function refuseOtherFeatures(
  stageId: string,
  statistics: readonly Artifact[],
  params: OpensmileParams,
): void {
  for (const artifact of statistics) {
    const { featureSet, level } = artifact.meta;
    if (featureSet !== params.featureSet || level !== params.level)
      throw new SerxError(
        FeaturesErrors.NORMALISATION,
        `${stageId}: statistics from '${artifact.producer}' are of ${featureSet} ${level}, these features are ${params.featureSet} ${params.level}`,
      );
  }
}
