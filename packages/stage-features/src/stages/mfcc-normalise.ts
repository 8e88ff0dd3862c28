import { type Artifact, ErrorCodes, type Logger, SerxError } from '@serx/core';
import { type PadMode, padFrames } from '../mfcc/index.ts';
import { applyMeanStd } from '../normalisation/apply.ts';
import type { StatisticsCollector } from '../normalisation/collector.ts';
import type { NormaliseMode, StatsFrom } from '../normalisation/mode.ts';
import { type Normaliser, resolveNormaliser } from '../normalisation/normaliser.ts';
import { readStatistics } from '../normalisation/statistics-file.ts';
import { openFeatureStore } from '../store/reader.ts';
import type { FeatureStoreWriter } from '../store/writer.ts';

/** Defence in depth behind the spec-time proof (the `statistics` input is declared `fits`). */
export function refuseHeldOutStatistics(
  stageId: string,
  statistics: readonly Artifact[],
  heldOut: readonly string[],
): void {
  for (const artifact of statistics) {
    const leaked = artifact.corpora.find((c) => heldOut.includes(c));
    if (leaked)
      throw new SerxError(
        ErrorCodes.HELD_OUT_DATA,
        `${stageId}: statistics from '${artifact.producer}' carry held-out corpus '${leaked}'`,
      );
  }
}

/** `speaker`/`corpus` statistics once pass one is done; `undefined` when there are no rows (an absent optional corpus). */
export async function resolveFor(
  stage: { id: string; log: Logger; statistics: readonly Artifact[] },
  mode: NormaliseMode,
  statsFrom: StatsFrom,
  corpus: string,
  collected: StatisticsCollector,
): Promise<Normaliser | undefined> {
  if (collected.all.frames === 0) return undefined;
  const inputs =
    mode === 'corpus' && statsFrom === 'training-corpora'
      ? await Promise.all(stage.statistics.map((a) => readStatistics(a.path)))
      : [];
  const normaliser = resolveNormaliser({
    mode: mode as 'speaker' | 'corpus',
    statsFrom,
    corpus,
    stageId: stage.id,
    collected,
    inputs,
  });
  stage.log.info(`${corpus}: normalise ${JSON.stringify(normaliser.describe)}`);
  return normaliser;
}

/** Pass two: every raw row of `rawDir`, in order, normalised and padded into `writer`. */
export async function normaliseRawStore(
  rawDir: string,
  writer: FeatureStoreWriter,
  normaliser: Normaliser,
  shape: { minFrames: number; pad: PadMode },
): Promise<void> {
  const raw = await openFeatureStore(rawDir);
  try {
    for (const { row, data } of raw.iterate()) {
      const { frames, shard: _shard, offset: _offset, ...input } = row;
      const normalised = applyMeanStd({ data, frames, dims: raw.meta.dims }, normaliser.statsFor(row));
      await writer.append(input, padFrames(normalised, shape.minFrames, shape.pad).data);
    }
  } finally {
    raw.close();
  }
}
