import { defineStage, paramsSchema, type StageContext, type StageResult } from '@serx/core/stage';
import { getCorpusReader } from '../corpora/registry.ts';
import { type OnBadAudio, onBadAudioSchema } from './bad-audio-policy.ts';
import { corpusFingerprint } from './corpus-fingerprint.ts';
import { ingestShards } from './ingest-shards.ts';
import { checkedReader } from './read-corpus.ts';

export interface IngestParams {
  corpus: string;
  reader?: string;
  root: string;
  optional?: boolean;
  onBadAudio?: OnBadAudio;
  probe?: boolean;
  limit?: number;
  perClass?: number;
  perSpeaker?: number;
  options?: Record<string, unknown>;
}

const count = { type: 'integer', minimum: 1 } as const;

/**
 * `features:ingest`: walks a corpus in its original layout with a reader and writes the
 * `utterances` artifact (`utterances.jsonl`, `meta.json`, `skipped.jsonl`). With `probe` (default)
 * every file is decoded in worker threads: bad audio fails the stage or, with `onBadAudio: skip`,
 * is left out and listed; durations are measured.
 */
export const ingest = defineStage({
  name: 'features:ingest',
  version: '1',
  description: 'Read a corpus in its original layout into an utterance list',
  params: paramsSchema<IngestParams>({
    type: 'object',
    additionalProperties: false,
    required: ['corpus', 'root'],
    properties: {
      corpus: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$', description: 'Lineage name of the corpus' },
      reader: {
        type: 'string',
        minLength: 1,
        description: 'Corpus reader registered by a loaded plugin (default: the corpus name)',
      },
      root: {
        type: 'string',
        format: 'path',
        description: 'Corpus folder, or file for a reader that reads one (manifest)',
      },
      optional: {
        type: 'boolean',
        default: false,
        description: 'An absent root, or one with no utterances, gives an empty set with a warning',
      },
      onBadAudio: onBadAudioSchema,
      probe: {
        type: 'boolean',
        default: true,
        description: 'Decode every file to check it and measure its duration',
      },
      limit: { ...count, description: 'Smoke subsets: at most this many utterances' },
      perClass: { ...count, description: 'Smoke subsets: at most this many per label' },
      perSpeaker: { ...count, description: 'Smoke subsets: at most this many per speaker' },
      options: {
        type: 'object',
        description: "The reader's options (its own schema, checked when the spec is loaded)",
      },
    },
    // Checked before anything runs (core path formats): an absent root only with `optional: true`.
    // Whether the root must be a folder or a file is the reader's to say (checked in corpora()).
    if: { required: ['optional'], properties: { optional: { const: true } } },
    else: { properties: { root: { format: 'existing-path' } } },
  }),
  inputs: {},
  outputs: {
    utterances: { type: 'utterances', description: 'utterances.jsonl + meta.json + skipped.jsonl' },
  },
  // Probing decodes every file: as heavy as extraction's decode half, so it gets the thread budget.
  resources: { class: 'cpu-heavy' },
  // Runs when the spec is loaded: an unknown reader, bad reader options or a root of the wrong
  // kind fail there, before anything runs.
  corpora(params) {
    checkedReader(params);
    return [params.corpus];
  },
  codeDependencies: (params) => [getCorpusReader(params.reader ?? params.corpus), ingestShards],
  // What the reader reads, by relative path, size and modification time (corpus-fingerprint.ts).
  fingerprint: (params, _signal, stage) => corpusFingerprint(params, stage?.code),
  // The implementation is imported when the stage runs, not when the plugin loads (start-up).
  run: async (ctx): Promise<StageResult | undefined> => (await import('./ingest-run.ts')).runIngest(ctx),
});

/** What the stage's run (ingest-run.ts) receives. */
export type IngestContext = StageContext<IngestParams, Record<never, never>>;
