import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StageContext } from '@serx/core';
import type { Utterance } from '../corpora/types.ts';
import { writeUtterances } from '../corpora/utterances-file.ts';
import { extractionPool } from '../workers/index.ts';
import { badAudio, type SkippedFile } from './bad-audio-policy.ts';
import { etaLogger } from './eta.ts';
import type { IngestContext, IngestParams } from './ingest.ts';
import { checkedReader, readCorpus } from './read-corpus.ts';
import { subset } from './subset.ts';

export async function runIngest(ctx: IngestContext) {
  const { params } = ctx;
  ctx.signal.throwIfAborted();
  const corpus = ingestCorpus(ctx);
  if (corpus.absent) return writeAbsent(ctx, corpus);
  const all = (await readCorpus(params)).utterances;
  const selected = subset(all, params);
  logSelection(ctx, corpus, all.length, selected.length);
  const { kept, skipped } =
    params.probe === false ? { kept: selected, skipped: [] } : await probeAll(ctx, selected);
  return writeIngest(ctx, corpus, all.length, kept, skipped);
}

/** The corpus an ingest reads: its reader, whether it is absent, and the meta its output starts from. */
export function ingestCorpus(ctx: IngestContext) {
  const { params } = ctx;
  const readerName = params.reader ?? params.corpus;
  const { reader, absent } = checkedReader(params);
  const base = { corpus: params.corpus, reader: readerName, labelled: reader.labelled, root: params.root };
  return { readerName, reader, absent, dir: ctx.outputs.utterances as string, base };
}
type IngestCorpus = ReturnType<typeof ingestCorpus>;

/** The empty utterance set of an absent optional corpus. */
export async function writeAbsent(ctx: IngestContext, { dir, base }: IngestCorpus) {
  ctx.log.info(`corpus '${ctx.params.corpus}' is absent (${ctx.params.root}): empty utterance set`);
  await writeUtterances(dir, { ...base, count: 0, absent: true, skipped: 0 }, []);
  await writeFile(join(dir, 'skipped.jsonl'), '');
  return { meta: { utterances: { ...base, count: 0, absent: true, skipped: 0 } } };
}

/** Logs how many utterances the reader found and how many the params selected. */
export function logSelection(
  ctx: IngestContext,
  { readerName, reader }: IngestCorpus,
  found: number,
  selected: number,
) {
  const { params } = ctx;
  if (found === 0)
    ctx.log.warn(
      `corpus '${params.corpus}': reader '${readerName}' found NO utterances under ${params.root} (optional: true, so the set is empty); expected ${reader.description}`,
    );
  ctx.log.info(`${params.corpus}: ${found} utterances found by reader '${readerName}', ${selected} selected`);
}

/** Writes the kept utterances and the skipped files; the stage's result. */
export async function writeIngest(
  ctx: IngestContext,
  { dir, base }: IngestCorpus,
  found: number,
  kept: Utterance[],
  skipped: SkippedFile[],
) {
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
        found,
        skipped: skipped.length,
        skippedFiles: skipped.slice(0, 100).map((s) => `${s.path} (${s.reason})`),
        durationSec: Math.round(durationSec * 1000) / 1000,
      },
    },
  };
}

/** Probes every utterance's audio in the extraction pool (the sharded ingest probes its range with it). */
export async function probeAll(
  ctx: StageContext<IngestParams, Record<never, never>>,
  utterances: Utterance[],
) {
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
