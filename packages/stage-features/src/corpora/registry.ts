/**
 * The corpus-reader registry: the one place a corpus layout is looked up by name. A reader is one
 * file that calls {@link defineCorpusReader}; a plugin makes it available by calling
 * {@link registerCorpusReader} from its plugin `register()`, after which any spec may name it
 * (`features:ingest` param `reader`). The seven corpora serx ships readers for, and the generic
 * layouts, are registered the same way by this package's own plugin.
 *
 * @example
 * ```ts
 * import { defineCorpusReader, layoutError, registerCorpusReader } from '@serx/stage-features';
 *
 * // `spk03_happy_0001.wav`: speaker, emotion, take
 * export const myCorpus = defineCorpusReader({
 *   name: 'my-corpus',
 *   description: 'spkNN_<emotion>_NNNN.wav',
 *   labelled: true,
 *   labels: ['anger', 'happiness', 'neutral', 'sadness'],
 *   paperSplit: { rule: { speakers: { test: ['spk01'] } }, description: 'spk01 test, rest train' },
 *   parse(file) {
 *     const m = /^(spk\d\d)_(angry|happy|neutral|sad)_\d+$/.exec(file.stem);
 *     if (!m) throw layoutError('my-corpus', file.path, 'spkNN_<emotion>_NNNN');
 *     return { id: file.stem, speaker: m[1]!, label: LABELS[m[2]!]!, rawLabel: m[2]! };
 *   },
 * });
 *
 * export const plugin = definePlugin({ name: 'my-corpora', version: '1.0.0', stages: [],
 *   register() { registerCorpusReader(myCorpus); } });
 * ```
 */
import { type JsonSchema, recordDefiningModule, SerxError } from '@serx/core/stage';
import { FeaturesErrors } from '../errors.ts';
import type { ResolvedRule, SplitRule } from '../split/types.ts';
import type { ReadResult, Utterance } from './types.ts';
import { type AudioFile, walkAudio } from './walk.ts';

/** What {@link CorpusReaderDefinition.parse} returns for one audio file; `null` leaves the file out. */
export interface ParsedFile {
  /** Unique within the corpus and stable across machines; default: the relative path without extension. */
  id?: string;
  speaker: string;
  gender?: 'female' | 'male';
  /** In the shared English vocabulary (`anger`, `happiness`...; see labels/mapping.ts); `null` = unlabelled. */
  label?: string | null;
  /** The corpus's own label code. */
  rawLabel?: string;
  text?: string;
  duration?: number;
}

/**
 * The corpus's standard split, used by `features:split` `rule: paper`: a rule in the spec's own
 * terms with a description, or a function of the utterances for rules that depend on them.
 */
export type PaperSplit =
  | { rule: Exclude<SplitRule, 'paper'>; description: string }
  | ((utterances: readonly Utterance[]) => ResolvedRule);

interface ReaderBase {
  /** Unique across all loaded plugins, e.g. `emodb`. */
  readonly name: string;
  /** One line for listings and error messages: the layout it reads. */
  readonly description: string;
  /** Whether the corpus carries emotion labels. */
  readonly labelled: boolean;
  /** What `root` names: a folder (default) or a file (a manifest). Checked when the spec is loaded. */
  readonly root?: 'folder' | 'file';
  /**
   * JSON Schema of the reader's options (`features:ingest` param `options`), with defaults;
   * checked when the spec is loaded. Omit when the reader takes none.
   */
  readonly options?: JsonSchema;
  /**
   * Every label the reader can emit (shared vocabulary), so a split's mapping is checked for
   * coverage before any row is mapped. Omit when labels come from the data (folder names, manifests).
   */
  readonly labels?: readonly string[];
  /** `rule: paper` of `features:split`. Default: all train for an unlabelled reader, none otherwise. */
  readonly paperSplit?: PaperSplit;
}

/**
 * A reader is defined by one of: `parse` (one audio file under root at a time: the walk, the
 * symlinks and the hidden files are handled for you), or `read` (the whole corpus, e.g. when
 * labels live in separate files). Errors are INPUT_DATA naming the file (see {@link layoutError}).
 */
export type CorpusReaderDefinition<O = Record<string, unknown>> = ReaderBase &
  (
    | { parse(file: AudioFile, options: O): ParsedFile | null; read?: never }
    | { read(root: string, corpus: string, options: O): Promise<ReadResult>; parse?: never }
  );

/** A registered reader: always has `read`. */
export interface CorpusReader<O = Record<string, unknown>> extends ReaderBase {
  read(root: string, corpus: string, options: O): Promise<ReadResult>;
}

/**
 * Declares a corpus reader; a `parse` reader gets its `read` (walk root, parse each file). The
 * calling module is recorded, so a change to the reader's file changes the ingest cache key.
 */
export function defineCorpusReader<O = Record<string, unknown>>(
  definition: CorpusReaderDefinition<O>,
): CorpusReader<O> {
  if (definition.read) return recordDefiningModule({ ...definition } as CorpusReader<O>);
  const { parse, ...base } = definition;
  const reader: CorpusReader<O> = {
    ...base,
    async read(root, corpus, options) {
      const utterances: Utterance[] = [];
      for (const file of await walkAudio(root)) {
        const parsed = parse(file, options);
        if (parsed === null) continue;
        // Key order as in every utterances.jsonl so far: equal rows stay byte-equal (cache cut-off).
        utterances.push({
          id: parsed.id ?? file.rel.replace(/\.[^./]+$/, ''),
          corpus,
          path: file.path,
          speaker: parsed.speaker,
          ...(parsed.gender === undefined ? {} : { gender: parsed.gender }),
          label: parsed.label ?? null,
          ...(parsed.rawLabel === undefined ? {} : { rawLabel: parsed.rawLabel }),
          ...(parsed.text === undefined ? {} : { text: parsed.text }),
          ...(parsed.duration === undefined ? {} : { duration: parsed.duration }),
        });
      }
      return { utterances, sources: [] };
    },
  };
  byWalk.add(reader);
  return recordDefiningModule(reader);
}

/** Readers made from a `parse` definition: what they read is one walk of root. */
const byWalk = new WeakSet<object>();

/**
 * Whether `reader` reads nothing but one walk of its root and the names it finds (a `parse`
 * reader): then what it returns depends only on the folders the walk listed, the reader's code and
 * its options, so a listing can be kept (stages/corpus-fingerprint.ts). A `read` reader may read
 * anything: never kept.
 */
export function readsByWalkOnly(reader: object): boolean {
  return byWalk.has(reader);
}

type AnyReader = CorpusReader<any>;

const registry = new Map<string, AnyReader>();

/**
 * Makes a reader available by name. Registering the same object again is a no-op (a plugin's
 * `register()` may run more than once); another reader under a taken name is an error.
 */
export function registerCorpusReader(reader: AnyReader): void {
  const existing = registry.get(reader.name);
  if (existing === reader) return;
  if (existing) {
    throw new SerxError(
      FeaturesErrors.READER_DUPLICATE,
      `corpus reader '${reader.name}' is already registered (${existing.description}); give the new reader another name`,
    );
  }
  registry.set(reader.name, reader);
}

/** The reader registered under `name`; an unknown name lists the registered ones. */
export function getCorpusReader(name: string): AnyReader {
  const reader = registry.get(name);
  if (!reader) {
    const known = [...registry.keys()].sort().join(', ') || '(none: is its plugin loaded?)';
    throw new SerxError(
      FeaturesErrors.READER_UNKNOWN,
      `unknown corpus reader '${name}'; registered readers: ${known}`,
    );
  }
  return reader;
}

/** All registered readers, sorted by name. */
export function listCorpusReaders(): AnyReader[] {
  return [...registry.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Removes a reader (tests use it to keep the registry clean). */
export function unregisterCorpusReader(name: string): boolean {
  return registry.delete(name);
}
