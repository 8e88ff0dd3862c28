import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Json, StageResult } from '@serx/core';
import { readUtterances } from '../corpora/utterances-file.ts';
import { normaliseUtterance, padFrames, resolveMfccOptions } from '../mfcc/index.ts';
import { StatisticsCollector } from '../normalisation/collector.ts';
import { normaliseMode, storeMetaValue } from '../normalisation/mode.ts';
import { checkStatsSource, type Normaliser } from '../normalisation/normaliser.ts';
import { writeStatistics } from '../normalisation/statistics-file.ts';
import type { FeatureRowInput } from '../store/format.ts';
import { FeatureStoreWriter } from '../store/writer.ts';
import type { SkippedFile } from './bad-audio-policy.ts';
import type { MfccContext } from './mfcc.ts';
import { extractRaw, type InputUtterance, type RawExtraction } from './mfcc-extract.ts';
import { normaliseRawStore, refuseHeldOutStatistics, resolveFor } from './mfcc-normalise.ts';

export async function runMfcc(ctx: MfccContext) {
  const { params } = ctx;
  ctx.signal.throwIfAborted();
  const input = ctx.inputs.utterances;
  refuseHeldOutStatistics(ctx.id, ctx.inputs.statistics ?? [], ctx.heldOut);
  const { meta: inputMeta, utterances } = await readUtterances<InputUtterance>(input.path);
  const settings = mfccSettings(ctx, inputMeta.corpus);
  const { options, perRow } = settings;
  checkCorpusStatistics(ctx, inputMeta.corpus, utterances, settings);
  const collector = new StatisticsCollector(options.numCeps);
  const started = Date.now();
  // utterance / none are shaped as they arrive; speaker / corpus need every row's statistics
  // first, so raw rows wait in a store in the work dir for a second pass.
  const rawDir = join(ctx.workDir, 'raw');
  if (!perRow)
    await rm(rawDir, { recursive: true, force: true }).then(() => mkdir(rawDir, { recursive: true }));
  const first = perRow
    ? await FeatureStoreWriter.create(ctx.outputs.features!, settings.storeMeta())
    : await FeatureStoreWriter.create(rawDir, { dims: options.numCeps });
  const { skipped, audioSec } = await extractRaw(
    ctx,
    utterances,
    options,
    params.onBadAudio ?? 'fail',
    `${inputMeta.corpus}: MFCC`,
    async (x) => {
      const row = rowOf(x);
      collector.add(row, x.raw);
      if (!perRow) await first.append(row, x.raw);
      else await first.append(row, settings.shaped(x.raw, x.rawFrames));
    },
  );
  let written = await first.close();
  let normalisation: Normaliser['describe'] | undefined;
  if (!perRow) {
    ({ written, normalisation } = await writeNormalised(ctx, inputMeta.corpus, collector, settings, [
      rawDir,
    ]));
    await rm(rawDir, { recursive: true, force: true });
  }
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

/** What an MFCC run of `corpus` computes with, from its params (runMfcc and the sharded run alike). */
export function mfccSettings(ctx: MfccContext, corpus: string) {
  const { params } = ctx;
  const preset = params.preset ?? 'python_speech_features';
  const options = resolveMfccOptions({ preset, ...params.options });
  const mode = normaliseMode(params.normalise);
  const minFrames = params.minFrames ?? 100;
  const pad = params.pad ?? 'zero';
  return {
    options,
    mode,
    statsFrom: params.statsFrom ?? 'train',
    minFrames,
    pad,
    /** utterance / none: each row is written as it comes; speaker / corpus need every row's statistics first. */
    perRow: mode === 'utterance' || mode === 'none',
    /** The output store's dims, sample rate and meta. */
    storeMeta: (extra: { [key: string]: unknown } = {}) => ({
      dims: options.numCeps,
      sampleRate: options.sampleRate,
      meta: {
        corpus,
        preset,
        mfcc: options,
        normalise: storeMetaValue(mode),
        ...extra,
        minFrames,
        pad,
      },
    }),
    /** A row of a per-row mode as written: normalised per utterance (`utterance`) or not, padded. */
    shaped(data: Float32Array, frames: number): Float32Array {
      const matrix = { data, frames, dims: options.numCeps };
      return padFrames(mode === 'utterance' ? normaliseUtterance(matrix) : matrix, minFrames, pad).data;
    },
  };
}
type MfccSettings = ReturnType<typeof mfccSettings>;

/** With `normalise: corpus`, fails before extracting when the corpus cannot give the statistics asked for. */
export function checkCorpusStatistics(
  ctx: MfccContext,
  corpus: string,
  utterances: readonly InputUtterance[],
  { mode, statsFrom }: MfccSettings,
): void {
  if (mode !== 'corpus') return;
  const train = utterances.filter((u) => (u.split ?? 'train') === 'train').length;
  checkStatsSource(ctx.id, corpus, statsFrom, { train, heldBack: utterances.length - train });
}

/**
 * The output store of a speaker / corpus normalisation: the statistics resolved from `collector`
 * (or the `statistics` input), then every raw row of the stores in `rawDirs`, in order, normalised
 * and padded into it.
 */
export async function writeNormalised(
  ctx: MfccContext,
  corpus: string,
  collector: StatisticsCollector,
  settings: MfccSettings,
  rawDirs: readonly string[],
) {
  const { mode, statsFrom, minFrames, pad } = settings;
  const normaliser = await resolveFor(
    { id: ctx.id, log: ctx.log, statistics: ctx.inputs.statistics ?? [] },
    mode,
    statsFrom,
    corpus,
    collector,
  );
  const normalisation = normaliser?.describe;
  const writer = await FeatureStoreWriter.create(
    ctx.outputs.features as string,
    settings.storeMeta(normalisation ? { normalisation } : {}),
  );
  if (normaliser)
    for (const dir of rawDirs) await normaliseRawStore(dir, writer, normaliser, { minFrames, pad });
  return { written: await writer.close(), normalisation };
}

/** The end of an MFCC run (runMfcc and the sharded merge): statistics, skipped files, metrics, meta. */
export async function finishMfcc(
  ctx: MfccContext,
  done: {
    corpus: string;
    collector: StatisticsCollector;
    written: Awaited<ReturnType<FeatureStoreWriter['close']>>;
    skipped: SkippedFile[];
    audioSec: number;
    normalisation: Normaliser['describe'] | undefined;
    started: number;
  },
): Promise<StageResult> {
  const { corpus, collector, written, skipped, audioSec, normalisation, started } = done;
  const stats = await writeStatistics(
    ctx.outputs.statistics as string,
    corpus,
    collector.trainUtterances,
    collector.train,
  );
  const dir = ctx.outputs.features as string;
  await writeFile(join(dir, 'skipped.jsonl'), skipped.map((s) => `${JSON.stringify(s)}\n`).join(''));
  const seconds = (Date.now() - started) / 1000;
  ctx.metrics.metric('utterances', written.count);
  ctx.metrics.metric('skipped', skipped.length);
  ctx.metrics.metric('realtime_factor', audioSec / Math.max(seconds, 1e-3));
  const meta: { [key: string]: Json } = {
    corpus,
    count: written.count,
    frames: written.frames,
    dims: written.dims,
    skipped: skipped.length,
    skippedFiles: skipped.slice(0, 100).map((s) => `${s.path} (${s.reason})`),
    audioSec: Math.round(audioSec * 1000) / 1000,
    ...(normalisation ? { normalisation } : {}),
  };
  return {
    meta: {
      features: meta,
      statistics: { corpus, trainUtterances: stats.utterances, trainFrames: stats.frames },
    },
  };
}

/** The index row of one extracted utterance (the sharded merge writes the same rows). */
export function rowOf(x: RawExtraction): FeatureRowInput {
  const u = x.utterance;
  return {
    id: u.id,
    corpus: u.corpus,
    speaker: u.speaker,
    ...(u.gender ? { gender: u.gender } : {}),
    label: u.label,
    class: u.class ?? null,
    split: u.split ?? null,
    rawFrames: x.rawFrames,
    duration: Math.round(x.duration * 1e4) / 1e4,
  };
}
