import { registerBuiltinReaders } from '../src/corpora/builtin.ts';

registerBuiltinReaders();
