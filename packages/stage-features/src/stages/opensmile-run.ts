import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, type Json, SerxError } from '@serx/core';
import { readUtterances } from '../corpora/utterances-file.ts';
import { normaliseUtterance, padFrames } from '../mfcc/index.ts';
import { StatisticsCollector } from '../normalisation/collector.ts';
import { storeMetaValue } from '../normalisation/mode.ts';
import { checkStatsSource, type Normaliser } from '../normalisation/normaliser.ts';
import { writeStatistics } from '../normalisation/statistics-file.ts';
import { opensmileAddon } from '../opensmile/addon.ts';
import { opensmileRun } from '../opensmile/feature-sets.ts';
import { findOpensmile } from '../opensmile/installation.ts';
import { refuseOtherFeatures, shapeOf } from '../opensmile/options.ts';
import type { FeatureRowInput } from '../store/format.ts';
import { FeatureStoreWriter } from '../store/writer.ts';
import type { InputUtterance, RawExtraction } from './mfcc-extract.ts';
import { normaliseRawStore, refuseHeldOutStatistics, resolveFor } from './mfcc-normalise.ts';
import type { OpensmileContext } from './opensmile.ts';
import { extractOpensmile } from './opensmile-extract.ts';

export async function runOpensmile(ctx: OpensmileContext) {
  const { params } = ctx;
  ctx.signal.throwIfAborted();
  const installation = await findOpensmile(ctx.id);
  refuseHeldOutStatistics(ctx.id, ctx.inputs.statistics ?? [], ctx.heldOut);
  refuseOtherFeatures(ctx.id, ctx.inputs.statistics ?? [], params);
  const { meta: inputMeta, utterances } = await readUtterances<InputUtterance>(ctx.inputs.utterances.path);
  const { mode, minFrames, pad } = shapeOf(params);
  const statsFrom = params.statsFrom ?? 'train';
  const run = opensmileRun(installation.configs, params.featureSet, params.level, params.sampleRate);
  const columns = opensmileAddon(installation.addon, installation.library).names(run.config, run.options);
  const dims = columns.length;
  const storeMeta = (extra: { [key: string]: unknown } = {}) => ({
    dims,
    sampleRate: params.sampleRate,
    meta: {
      corpus: inputMeta.corpus,
      opensmile: { version: installation.version, featureSet: params.featureSet, level: params.level },
      featureSet: params.featureSet,
      level: params.level,
      columns,
      normalise: storeMetaValue(mode),
      ...extra,
      minFrames,
      pad,
    },
  });
  if (mode === 'corpus') {
    const train = utterances.filter((u) => (u.split ?? 'train') === 'train').length;
    checkStatsSource(ctx.id, inputMeta.corpus, statsFrom, { train, heldBack: utterances.length - train });
  }
  const collector = new StatisticsCollector(dims);
  const perRow = mode === 'utterance' || mode === 'none';
  const started = Date.now();
  // utterance / none are shaped as they arrive; speaker / corpus need every row's statistics first.
  const rawDir = join(ctx.workDir, 'raw');
  if (!perRow)
    await rm(rawDir, { recursive: true, force: true }).then(() => mkdir(rawDir, { recursive: true }));
  const first = perRow
    ? await FeatureStoreWriter.create(ctx.outputs.features!, storeMeta())
    : await FeatureStoreWriter.create(rawDir, { dims });
  const { skipped, audioSec } = await extractOpensmile(
    ctx,
    utterances,
    { installation, run, sampleRate: params.sampleRate },
    params.onBadAudio ?? 'fail',
    `${inputMeta.corpus}: openSMILE ${params.featureSet} ${params.level}`,
    async (x) => {
      if (x.raw.length !== x.rawFrames * dims)
        throw new SerxError(
          ErrorCodes.INTERNAL,
          `${x.utterance.path}: openSMILE returned ${x.raw.length / Math.max(1, x.rawFrames)} values per frame, its sink declares ${dims}`,
        );
      const row = rowOf(x);
      collector.add(row, x.raw);
      const matrix = { data: x.raw, frames: x.rawFrames, dims };
      if (!perRow) await first.append(row, x.raw);
      else {
        const shaped = mode === 'utterance' ? normaliseUtterance(matrix) : matrix;
        await first.append(row, padFrames(shaped, minFrames, pad).data);
      }
    },
  );
  let written = await first.close();
  let normalisation: Normaliser['describe'] | undefined;
  if (!perRow) {
    const normaliser = await resolveFor(
      { id: ctx.id, log: ctx.log, statistics: ctx.inputs.statistics ?? [] },
      mode,
      statsFrom,
      inputMeta.corpus,
      collector,
    );
    normalisation = normaliser?.describe;
    const writer = await FeatureStoreWriter.create(
      ctx.outputs.features!,
      storeMeta(normalisation ? { normalisation } : {}),
    );
    if (normaliser) await normaliseRawStore(rawDir, writer, normaliser, { minFrames, pad });
    written = await writer.close();
    await rm(rawDir, { recursive: true, force: true });
  }
  const stats = await writeStatistics(
    ctx.outputs.statistics!,
    inputMeta.corpus,
    collector.trainUtterances,
    collector.train,
  );
  const dir = ctx.outputs.features!;
  await writeFile(join(dir, 'skipped.jsonl'), skipped.map((s) => `${JSON.stringify(s)}\n`).join(''));
  const seconds = (Date.now() - started) / 1000;
  ctx.metrics.metric('utterances', written.count);
  ctx.metrics.metric('skipped', skipped.length);
  ctx.metrics.metric('realtime_factor', audioSec / Math.max(seconds, 1e-3));
  const meta: { [key: string]: Json } = {
    corpus: inputMeta.corpus,
    featureSet: params.featureSet,
    level: params.level,
    opensmile: installation.version,
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
      statistics: {
        corpus: inputMeta.corpus,
        featureSet: params.featureSet,
        level: params.level,
        trainUtterances: stats.utterances,
        trainFrames: stats.frames,
      },
    },
  };
}

function rowOf(x: RawExtraction): FeatureRowInput {
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
