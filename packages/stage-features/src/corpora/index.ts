export { getReader, READERS } from './registry.ts';
export type * from './types.ts';
export { readUtterances, UTTERANCES_FILE, writeUtterances } from './utterances-file.ts';
export { AUDIO_EXTENSIONS, walkAudio } from './walk.ts';
