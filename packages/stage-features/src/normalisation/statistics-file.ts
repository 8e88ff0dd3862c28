import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, SerxError } from '@serx/core';
import { type MeanStd, type Moments, meanStd } from './moments.ts';

/** The `mfcc-statistics` artifact: `statistics.json`. */
export const STATISTICS_FILE = 'statistics.json';
export const STATISTICS_FORMAT = 'serx-mfcc-statistics/1';

/**
 * Per-coefficient statistics of the raw (un-normalised) MFCCs of one corpus's train partition,
 * real frames only (no padding). `sum`/`sumSq` let a consumer pool corpora exactly.
 */
export interface StatisticsFile extends MeanStd {
  format: typeof STATISTICS_FORMAT;
  corpus: string;
  partition: 'train';
  dims: number;
  utterances: number;
  sum: number[];
  sumSq: number[];
}

export async function writeStatistics(
  dir: string,
  corpus: string,
  utterances: number,
  moments: Moments,
): Promise<StatisticsFile> {
  const file: StatisticsFile = {
    format: STATISTICS_FORMAT,
    corpus,
    partition: 'train',
    dims: moments.sum.length,
    utterances,
    ...meanStd(moments),
    sum: Array.from(moments.sum),
    sumSq: Array.from(moments.sumSq),
  };
  await writeFile(join(dir, STATISTICS_FILE), `${JSON.stringify(file)}\n`);
  return file;
}

/** Reads one `mfcc-statistics` artifact as moments; INPUT_DATA naming the file when malformed. */
export async function readStatistics(dir: string): Promise<{ corpus: string; moments: Moments }> {
  const path = join(dir, STATISTICS_FILE);
  let file: StatisticsFile;
  try {
    file = JSON.parse(await readFile(path, 'utf8')) as StatisticsFile;
  } catch (cause) {
    throw new SerxError(ErrorCodes.INPUT_DATA, `${path}: not an mfcc-statistics artifact`, { cause });
  }
  const ok =
    file.format === STATISTICS_FORMAT &&
    Number.isInteger(file.frames) &&
    Array.isArray(file.sum) &&
    Array.isArray(file.sumSq) &&
    file.sum.length === file.dims &&
    file.sumSq.length === file.dims;
  if (!ok) throw new SerxError(ErrorCodes.INPUT_DATA, `${path}: malformed (expected ${STATISTICS_FORMAT})`);
  return {
    corpus: file.corpus,
    moments: { frames: file.frames, sum: Float64Array.from(file.sum), sumSq: Float64Array.from(file.sumSq) },
  };
}
