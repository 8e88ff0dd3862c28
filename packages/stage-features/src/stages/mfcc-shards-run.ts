import type { Json, StageResult } from '@serx/core';
import type { ShardRange } from '@serx/core/shards';
import { readUtterances } from '../corpora/utterances-file.ts';
import { normaliseUtterance, padFrames, resolveMfccOptions } from '../mfcc/index.ts';
import { StatisticsCollector } from '../normalisation/collector.ts';
import { normaliseMode, storeMetaValue } from '../normalisation/mode.ts';
import { checkStatsSource, type Normaliser } from '../normalisation/normaliser.ts';
import { openFeatureStore } from '../store/reader.ts';
import { FeatureStoreWriter } from '../store/writer.ts';
import type { SkippedFile } from './bad-audio-policy.ts';
import type { MfccContext } from './mfcc.ts';
import { extractRaw, type InputUtterance } from './mfcc-extract.ts';
import { normaliseRawStore, refuseHeldOutStatistics, resolveFor } from './mfcc-normalise.ts';
import { finishMfcc, rowOf } from './mfcc-run.ts';
import type { ShardReport } from './mfcc-shards.ts';

/** The settings of `runMfcc` (mfcc-run.ts), derived the same way. */
function settings(ctx: MfccContext) {
  const { params } = ctx;
  const options = resolveMfccOptions({
    preset: params.preset ?? 'python_speech_features',
    ...params.options,
  });
  return {
    options,
    mode: normaliseMode(params.normalise),
    statsFrom: params.statsFrom ?? 'train',
    minFrames: params.minFrames ?? 100,
    pad: params.pad ?? 'zero',
  };
}

/** One shard: the raw MFCCs of rows `[start, end)` into a store in `ctx.outputs.features`. */
export async function runMfccShard(ctx: MfccContext, range: ShardRange): Promise<ShardReport> {
  ctx.signal.throwIfAborted();
  refuseHeldOutStatistics(ctx.id, ctx.inputs.statistics ?? [], ctx.heldOut);
  const { meta, utterances } = await readUtterances<InputUtterance>(ctx.inputs.utterances.path);
  const { options, mode, statsFrom } = settings(ctx);
  if (mode === 'corpus') {
    // as unsharded: fail before extracting when the corpus cannot give the statistics asked for
    const train = utterances.filter((u) => (u.split ?? 'train') === 'train').length;
    checkStatsSource(ctx.id, meta.corpus, statsFrom, { train, heldBack: utterances.length - train });
  }
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
  const { params } = ctx;
  ctx.signal.throwIfAborted();
  refuseHeldOutStatistics(ctx.id, ctx.inputs.statistics ?? [], ctx.heldOut);
  const { meta: inputMeta, utterances } = await readUtterances<InputUtterance>(ctx.inputs.utterances.path);
  const { options, mode, statsFrom, minFrames, pad } = settings(ctx);
  const storeMeta = (extra: { [key: string]: unknown } = {}) => ({
    dims: options.numCeps,
    sampleRate: options.sampleRate,
    meta: {
      corpus: inputMeta.corpus,
      preset: params.preset ?? 'python_speech_features',
      mfcc: options,
      normalise: storeMetaValue(mode),
      ...extra,
      minFrames,
      pad,
    },
  });
  const started = Math.min(...shards.map((s) => Date.parse(s.startedAt)));
  const collector = new StatisticsCollector(options.numCeps);
  const perRow = mode === 'utterance' || mode === 'none';
  const skipped = shards.flatMap((s) => s.report.skipped) as unknown as SkippedFile[];
  let audioSec = 0;
  for (const s of shards) for (const d of s.report.durations) audioSec += d;
  const rows = utterances.length - skipped.length;
  ctx.progress.total(rows, 'merge');
  const first = perRow
    ? await FeatureStoreWriter.create(ctx.outputs.features as string, storeMeta())
    : undefined;
  for (const shard of shards) {
    const raw = await openFeatureStore(shard.dir);
    try {
      for (const { row, data } of raw.iterate()) {
        const { frames, shard: _shard, offset: _offset, ...input } = row;
        collector.add(input, data);
        if (first) {
          const matrix = { data, frames, dims: options.numCeps };
          const shaped = mode === 'utterance' ? normaliseUtterance(matrix) : matrix;
          await first.append(input, padFrames(shaped, minFrames, pad).data);
        }
        ctx.progress.tick();
      }
    } finally {
      raw.close();
    }
  }
  let written = first ? await first.close() : undefined;
  let normalisation: Normaliser['describe'] | undefined;
  if (!first) {
    const normaliser = await resolveFor(
      { id: ctx.id, log: ctx.log, statistics: ctx.inputs.statistics ?? [] },
      mode,
      statsFrom,
      inputMeta.corpus,
      collector,
    );
    normalisation = normaliser?.describe;
    const writer = await FeatureStoreWriter.create(
      ctx.outputs.features as string,
      storeMeta(normalisation ? { normalisation } : {}),
    );
    if (normaliser)
      for (const shard of shards) await normaliseRawStore(shard.dir, writer, normaliser, { minFrames, pad });
    written = await writer.close();
  }
  return finishMfcc(ctx, {
    corpus: inputMeta.corpus,
    collector,
    written: written as NonNullable<typeof written>,
    skipped,
    audioSec,
    normalisation,
    started,
  });
}
