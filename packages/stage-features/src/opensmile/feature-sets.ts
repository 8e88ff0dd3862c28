import { join } from 'node:path';

/** The feature sets openSMILE ships configs for, by opensmile-python's `FeatureSet` names. */
export const FEATURE_SETS = {
  eGeMAPSv02: 'egemaps/v02/eGeMAPSv02.conf',
  GeMAPSv01b: 'gemaps/v01b/GeMAPSv01b.conf',
  ComParE_2016: 'compare/ComParE_2016.conf',
  emobase: 'emobase/emobase.conf',
} as const;

export type FeatureSetName = keyof typeof FEATURE_SETS;

/** `lld`: one row per 10 ms frame (frames × n); `functionals`: one row per utterance. */
export type OpensmileLevel = 'lld' | 'functionals';

const SINK_LEVEL: { [level in OpensmileLevel]: string } = { lld: 'lld', functionals: 'func' };

/** What the addon runs: the config file and its `\cm[...]` options, as a flat name/value list. */
export interface OpensmileRun {
  config: string;
  options: string[];
}

/**
 * The config and options opensmile-python's `Smile` uses for `featureSet` at `level` (its
 * `_options()` with the external wave source): the same library given the same config and the
 * same samples computes the same numbers.
 */
export function opensmileRun(
  configs: string,
  featureSet: FeatureSetName,
  level: OpensmileLevel,
  sampleRate: number,
): OpensmileRun {
  const shared = (file: string) => join(configs, 'shared', file);
  return {
    config: join(configs, FEATURE_SETS[featureSet]),
    options: [
      ['sink', shared('standard_external_data_output_single.conf.inc')],
      ['sinkLevel', SINK_LEVEL[level]],
      ['bufferModeRbConf', shared('BufferModeRb.conf.inc')],
      ['frameModeFunctionalsConf', shared('FrameModeFunctionals.conf.inc')],
      ['source', shared('standard_external_wave_input.conf.inc')],
      ['sampleRate', String(sampleRate)],
      ['nBits', '16'],
    ].flat(),
  };
}
