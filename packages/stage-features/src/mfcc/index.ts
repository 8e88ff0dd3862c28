export { computeMfcc } from './compute.ts';
export { MfccExtractor } from './extractor.ts';
export { hzToMelHtk, hzToMelSlaney, melToHzHtk, melToHzSlaney } from './mel.ts';
export { normaliseUtterance, type PadMode, padFrames } from './normalise.ts';
export type { MfccMatrix, MfccOptions, WindowName } from './options.ts';
export { DEFAULT_MFCC_PRESET, type MfccPresetName, mfccPresets, resolveMfccOptions } from './presets.ts';
