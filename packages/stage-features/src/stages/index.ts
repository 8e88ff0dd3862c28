export type { OpensmileParams } from '../opensmile/options.ts';
export type { OnBadAudio, SkippedFile } from './bad-audio-policy.ts';
export { type IngestParams, ingest } from './ingest.ts';
export { type MfccParams, mfcc } from './mfcc.ts';
export { opensmile } from './opensmile.ts';
export { type SelectParams, select } from './select.ts';
export { type SplitParams, split } from './split.ts';
