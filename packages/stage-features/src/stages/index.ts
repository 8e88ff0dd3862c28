export { ingest, type IngestParams } from './ingest.ts';
export { split, type SplitParams } from './split.ts';
export { mfcc, type MfccParams } from './mfcc.ts';
export type { SkippedFile, OnBadAudio } from './bad-audio-policy.ts';
