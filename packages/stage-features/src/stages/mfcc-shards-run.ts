import type { Json, StageResult } from '@serx/core';
import type { ShardRange } from '@serx/core/shards';
import { readUtterances } from '../corpora/utterances-file.ts';
import { StatisticsCollector } from '../normalisation/collector.ts';
import { openFeatureStore } from '../store/reader.ts';
import { FeatureStoreWriter } from '../store/writer.ts';
import type { SkippedFile } from './bad-audio-policy.ts';
import type { MfccContext } from './mfcc.ts';
import { extractRaw, type InputUtterance } from './mfcc-extract.ts';
import { refuseHeldOutStatistics } from './mfcc-normalise.ts';
import { checkCorpusStatistics, finishMfcc, mfccSettings, rowOf, writeNormalised } from './mfcc-run.ts';
import type { ShardReport } from './mfcc-shards.ts';

/** One shard: the raw MFCCs of rows `[start, end)` into a store in `ctx.outputs.features`. */
export async function runMfccShard(ctx: MfccContext, range: ShardRange): Promise<ShardReport> {
  ctx.signal.throwIfAborted();
  refuseHeldOutStatistics(ctx.id, ctx.inputs.statistics ?? [], ctx.heldOut);
  const { meta, utterances } = await readUtterances<InputUtterance>(ctx.inputs.utterances.path);
  const settings = mfccSettings(ctx, meta.corpus);
  const { options } = settings;
  checkCorpusStatistics(ctx, meta.corpus, utterances, settings); // as unsharded, before extracting
  const writer = await FeatureStoreWriter.create(ctx.outputs.features as string, { dims: options.numCeps });
  const durations: number[] = [];
  const { skipped } = await extractRaw(
    ctx,
    utterances.slice(range.start, range.end),
    options,
    ctx.params.onBadAudio ?? 'fail',
    `${meta.corpus}: MFCC rows ${range.start + 1}–${range.end}`,
    async (x) => {
      durations.push(x.duration);
      await writer.append(rowOf(x), x.raw);
    },
  ).catch(async (error: unknown) => {
    await writer.close().catch(() => {}); // its files are discarded with the shard
    throw error;
  });
  await writer.close();
  return { durations, skipped: skipped as unknown as Json[] };
}

/**
 * The shards' raw stores, in order, through what `runMfcc` does after extracting: statistics,
 * normalisation, padding, the store, `skipped.jsonl`, the statistics file, metrics and meta.
 */
export async function mergeMfccShards(
  ctx: MfccContext,
  shards: readonly { dir: string; report: ShardReport; startedAt: string }[],
): Promise<StageResult> {
  ctx.signal.throwIfAborted();
  refuseHeldOutStatistics(ctx.id, ctx.inputs.statistics ?? [], ctx.heldOut);
  const { meta: inputMeta, utterances } = await readUtterances<InputUtterance>(ctx.inputs.utterances.path);
  const settings = mfccSettings(ctx, inputMeta.corpus);
  const started = Math.min(...shards.map((s) => Date.parse(s.startedAt)));
  const collector = new StatisticsCollector(settings.options.numCeps);
  const skipped = shards.flatMap((s) => s.report.skipped) as unknown as SkippedFile[];
  let audioSec = 0;
  for (const s of shards) for (const d of s.report.durations) audioSec += d;
  const rows = utterances.length - skipped.length;
  ctx.progress.total(rows, 'merge');
  const first = settings.perRow
    ? await FeatureStoreWriter.create(ctx.outputs.features as string, settings.storeMeta())
    : undefined;
  for (const shard of shards) {
    const raw = await openFeatureStore(shard.dir);
    try {
      for (const { row, data } of raw.iterate()) {
        const { frames, shard: _shard, offset: _offset, ...input } = row;
        collector.add(input, data);
        if (first) await first.append(input, settings.shaped(data, frames));
        ctx.progress.tick();
      }
    } finally {
      raw.close();
    }
  }
  const { written, normalisation } = first
    ? { written: await first.close(), normalisation: undefined }
    : await writeNormalised(
        ctx,
        inputMeta.corpus,
        collector,
        settings,
        shards.map((s) => s.dir),
      );
  return finishMfcc(ctx, {
    corpus: inputMeta.corpus,
    collector,
    written,
    skipped,
    audioSec,
    normalisation,
    started,
  });
}
