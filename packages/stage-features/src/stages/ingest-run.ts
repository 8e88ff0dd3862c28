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
