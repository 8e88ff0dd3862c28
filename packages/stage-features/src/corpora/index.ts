export type * from './types.ts';
export { READERS, getReader } from './registry.ts';
export { AUDIO_EXTENSIONS, walkAudio } from './walk.ts';
export { readUtterances, writeUtterances, UTTERANCES_FILE } from './utterances-file.ts';
