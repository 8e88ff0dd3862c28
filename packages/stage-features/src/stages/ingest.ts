import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { defineStage, paramsSchema, type StageContext } from '@serx/core';
import { getCorpusReader } from '../corpora/registry.ts';
import type { Utterance } from '../corpora/types.ts';
import { writeUtterances } from '../corpora/utterances-file.ts';
import { extractionPool } from '../workers/index.ts';
import { badAudio, type OnBadAudio, onBadAudioSchema, type SkippedFile } from './bad-audio-policy.ts';
import { etaLogger } from './eta.ts';
import { checkedReader, readCorpus } from './read-corpus.ts';
import { subset } from './subset.ts';

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
  codeDependencies: (params) => [getCorpusReader(params.reader ?? params.corpus)],
  async fingerprint(params) {
    if (checkedReader(params).absent) return 'absent';
    const { utterances, sources } = await readCorpus(params);
    const hash = createHash('sha256');
    // One synchronous stat per file: thousands of awaited stats cost a round trip through the
    // thread pool each, most of a no-op rerun's start-up.
    for (const file of [...sources, ...utterances.map((u) => u.path)].sort()) {
      const s = statSync(file);
      hash.update(`${relative(params.root, file)}\t${s.size}\t${Math.round(s.mtimeMs)}\n`);
    }
    return hash.digest('hex');
  },
  run: runIngest,
});

async function runIngest(ctx: StageContext<IngestParams, Record<never, never>>) {
  const { params } = ctx;
  ctx.signal.throwIfAborted();
  const readerName = params.reader ?? params.corpus;
  const { reader, absent } = checkedReader(params);
  const dir = ctx.outputs.utterances!;
  const base = { corpus: params.corpus, reader: readerName, labelled: reader.labelled, root: params.root };
  if (absent) {
    ctx.log.info(`corpus '${params.corpus}' is absent (${params.root}): empty utterance set`);
    await writeUtterances(dir, { ...base, count: 0, absent: true, skipped: 0 }, []);
    await writeFile(join(dir, 'skipped.jsonl'), '');
    return { meta: { utterances: { ...base, count: 0, absent: true, skipped: 0 } } };
  }
  const all = (await readCorpus(params)).utterances;
  if (all.length === 0)
    ctx.log.warn(
      `corpus '${params.corpus}': reader '${readerName}' found NO utterances under ${params.root} (optional: true, so the set is empty); expected ${reader.description}`,
    );
  const selected = subset(all, params);
  ctx.log.info(
    `${params.corpus}: ${all.length} utterances found by reader '${readerName}', ${selected.length} selected`,
  );
  const { kept, skipped } =
    params.probe === false ? { kept: selected, skipped: [] } : await probeAll(ctx, selected);
  await writeUtterances(dir, { ...base, count: kept.length, skipped: skipped.length }, kept);
  await writeFile(join(dir, 'skipped.jsonl'), skipped.map((s) => `${JSON.stringify(s)}\n`).join(''));
  if (skipped.length) ctx.metrics.artifact(join(dir, 'skipped.jsonl'));
  const durationSec = kept.reduce((sum, u) => sum + (u.duration ?? 0), 0);
  ctx.metrics.metric('utterances', kept.length);
  ctx.metrics.metric('skipped', skipped.length);
  return {
    meta: {
      utterances: {
        ...base,
        count: kept.length,
        found: all.length,
        skipped: skipped.length,
        skippedFiles: skipped.slice(0, 100).map((s) => `${s.path} (${s.reason})`),
        durationSec: Math.round(durationSec * 1000) / 1000,
      },
    },
  };
}

async function probeAll(ctx: StageContext<IngestParams, Record<never, never>>, utterances: Utterance[]) {
  const pool = extractionPool(Math.max(1, ctx.threads), ctx.signal);
  const policy = ctx.params.onBadAudio ?? 'fail';
  const skipped: SkippedFile[] = [];
  const kept: Utterance[] = [];
  const report = etaLogger(ctx.log, `${ctx.params.corpus}: probing audio`, utterances.length);
  ctx.progress.total(utterances.length, 'probe audio');
  let done = 0;
  try {
    const results = await Promise.all(
      utterances.map(async (u) => {
        const result = await pool.probe({ path: u.path });
        ctx.progress.tick();
        report(++done);
        // Under `fail`, badAudio throws here, so the stage stops at the first bad file.
        return result.ok ? result : badAudio(result, u, policy, ctx.log);
      }),
    );
    results.forEach((result, i) => {
      const u = utterances[i]!;
      if ('ok' in result)
        kept.push({ ...u, duration: u.duration ?? Math.round(result.duration * 1e4) / 1e4 });
      else skipped.push(result);
    });
  } finally {
    await pool.close();
  }
  if (ctx.signal.aborted) throw ctx.signal.reason;
  return { kept, skipped };
}
