import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ShardRange } from '@serx/core/shards';
import type { Utterance } from '../corpora/types.ts';
import type { SkippedFile } from './bad-audio-policy.ts';
import type { IngestContext } from './ingest.ts';
import { ingestCorpus, logSelection, probeAll, writeAbsent, writeIngest } from './ingest-run.ts';
import { checkedReader, readCorpus } from './read-corpus.ts';
import { subset } from './subset.ts';

const KEPT = 'kept.jsonl';
const SKIPPED = 'skipped.jsonl';

/** The utterances a run of the stage probes (none for an absent optional corpus), with what was found. */
async function selected(ctx: IngestContext): Promise<{ all: Utterance[]; rows: Utterance[] }> {
  if (checkedReader(ctx.params).absent) return { all: [], rows: [] };
  const all = (await readCorpus(ctx.params)).utterances;
  return { all, rows: subset(all, ctx.params) };
}

export async function selectedRows(ctx: IngestContext): Promise<Utterance[]> {
  return (await selected(ctx)).rows;
}

/** One shard: probes rows `[start, end)`; kept utterances and skipped files as JSON lines in its output. */
export async function runIngestShard(ctx: IngestContext, range: ShardRange): Promise<void> {
  ctx.signal.throwIfAborted();
  const rows = (await selected(ctx)).rows.slice(range.start, range.end);
  const { kept, skipped } =
    ctx.params.probe === false ? { kept: rows, skipped: [] } : await probeAll(ctx, rows);
  const dir = ctx.outputs.utterances as string;
  await writeFile(join(dir, KEPT), kept.map((u) => `${JSON.stringify(u)}\n`).join(''));
  await writeFile(join(dir, SKIPPED), skipped.map((s) => `${JSON.stringify(s)}\n`).join(''));
}

async function lines<T>(file: string): Promise<T[]> {
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}

/** What `runIngest` (ingest-run.ts) writes, from the shards' kept and skipped lines in order. */
export async function mergeIngestShards(ctx: IngestContext, shards: readonly string[]) {
  const corpus = ingestCorpus(ctx);
  if (corpus.absent) return writeAbsent(ctx, corpus);
  const { all, rows } = await selected(ctx);
  logSelection(ctx, corpus, all.length, rows.length);
  const kept: Utterance[] = [];
  const skipped: SkippedFile[] = [];
  for (const shard of shards) {
    kept.push(...(await lines<Utterance>(join(shard, KEPT))));
    skipped.push(...(await lines<SkippedFile>(join(shard, SKIPPED))));
  }
  return writeIngest(ctx, corpus, all.length, kept, skipped);
}
