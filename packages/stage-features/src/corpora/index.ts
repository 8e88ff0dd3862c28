export { builtinReaders, registerBuiltinReaders } from './builtin.ts';
export { layoutError } from './layout-error.ts';
export { readerOptions } from './reader-options.ts';
export {
  type CorpusReader,
  type CorpusReaderDefinition,
  defineCorpusReader,
  getCorpusReader,
  listCorpusReaders,
  type PaperSplit,
  type ParsedFile,
  registerCorpusReader,
  unregisterCorpusReader,
} from './registry.ts';
export type * from './types.ts';
export { readUtterances, UTTERANCES_FILE, writeUtterances } from './utterances-file.ts';
export { AUDIO_EXTENSIONS, type AudioFile, walkAudio } from './walk.ts';
