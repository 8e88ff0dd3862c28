import { SerxError } from '@serx/core';
import { FeaturesErrors } from '../errors.ts';
import type { StatisticsCollector } from './collector.ts';
import type { NormaliseMode, StatsFrom } from './mode.ts';
import { type MeanStd, type Moments, meanStd, poolMoments } from './moments.ts';

/** What a mode resolves to: the statistics each row is normalised with, and a record for meta. */
export interface Normaliser {
  statsFor(row: { speaker: string }): MeanStd;
  /** Written to the feature store's meta (`normalisation`). */
  describe: { [key: string]: string | number | string[] };
}

export interface NormaliserOptions {
  mode: Extract<NormaliseMode, 'speaker' | 'corpus'>;
  statsFrom: StatsFrom;
  corpus: string;
  stageId: string;
  collected: StatisticsCollector;
  /** Moments of the `statistics` input, one per wired stage (statsFrom `training-corpora`). */
  inputs: readonly { corpus: string; moments: Moments }[];
}

/**
 * Resolves `speaker` / `corpus` normalisation once the raw moments are collected. Every way a
 * statistic could cross from a row that may not inform another is refused here with the fix.
 */
export function resolveNormaliser(o: NormaliserOptions): Normaliser {
  if (o.mode === 'speaker') {
    const bySpeaker = new Map([...o.collected.speakers].map(([s, m]) => [s, meanStd(m)]));
    return {
      statsFor: (row) => bySpeaker.get(row.speaker)!,
      describe: { mode: 'speaker', speakers: bySpeaker.size },
    };
  }
  const stats = corpusMoments(o);
  const resolved = meanStd(stats.moments);
  return {
    statsFor: () => resolved,
    describe: { mode: 'corpus', statsFrom: o.statsFrom, frames: resolved.frames, from: stats.from },
  };
}

function corpusMoments(o: NormaliserOptions): { moments: Moments; from: string[] } {
  const where = `${o.stageId} (corpus '${o.corpus}')`;
  checkStatsSource(o.stageId, o.corpus, o.statsFrom, {
    train: o.collected.train.frames,
    heldBack: o.collected.all.frames - o.collected.train.frames,
  });
  if (o.statsFrom === 'train') {
    return { moments: o.collected.train, from: [o.corpus] };
  }
  if (o.statsFrom === 'own') {
    return { moments: o.collected.all, from: [o.corpus] };
  }
  const usable = o.inputs.filter((s) => s.moments.frames > 0);
  if (usable.length === 0)
    throw new SerxError(
      FeaturesErrors.NORMALISATION,
      `${where}: statsFrom: training-corpora needs the statistics input wired to mfcc stages of corpora with train rows (got ${o.inputs.length === 0 ? 'none' : o.inputs.map((s) => `${s.corpus}: 0 train frames`).join(', ')})`,
    );
  const dims = o.collected.dims;
  const bad = usable.find((s) => s.moments.sum.length !== dims);
  if (bad)
    throw new SerxError(
      FeaturesErrors.NORMALISATION,
      `${where}: statistics of corpus '${bad.corpus}' have ${bad.moments.sum.length} coefficients, these features ${dims}`,
    );
  const pooled = poolMoments(
    usable.map((s) => s.moments),
    dims,
  );
  return { moments: pooled, from: usable.map((s) => s.corpus).sort() };
}

/**
 * Whether `corpus` normalisation can take its statistics from `statsFrom`, given how much train
 * and validation/test data the corpus has (rows before extraction, frames after): the stage
 * checks it before extracting anything, and again on the frames it got.
 */
export function checkStatsSource(
  stageId: string,
  corpus: string,
  statsFrom: StatsFrom,
  amount: { train: number; heldBack: number },
): void {
  const where = `${stageId} (corpus '${corpus}')`;
  if (statsFrom === 'train' && amount.train === 0 && amount.heldBack > 0)
    throw new SerxError(
      FeaturesErrors.NORMALISATION,
      `${where}: normalise: corpus with statsFrom: train, but the corpus has no train rows (an unseen corpus?); set statsFrom: own (its own data) or statsFrom: training-corpora (wire the training corpora's mfcc statistics)`,
    );
  if (statsFrom === 'own' && amount.train > 0 && amount.heldBack > 0)
    throw new SerxError(
      FeaturesErrors.NORMALISATION,
      `${where}: statsFrom: own would normalise train rows with statistics of validation/test rows; use statsFrom: train (own is for a corpus that is all test)`,
    );
}
