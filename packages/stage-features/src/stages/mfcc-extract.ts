import type { ErrorCode, StageContext } from '@serx/core';
import { ErrorCodes } from '@serx/core';
import type { SplitUtterance, Utterance } from '../corpora/types.ts';
import type { MfccOptions } from '../mfcc/index.ts';
import { type ExtractResult, extractionPool } from '../workers/index.ts';
import { badAudio, type OnBadAudio, type SkippedFile } from './bad-audio-policy.ts';
import { etaLogger } from './eta.ts';

export type InputUtterance = Utterance & Partial<SplitUtterance>;

/** One extracted utterance: its raw (un-normalised, unpadded) MFCCs. */
export interface RawExtraction {
  utterance: InputUtterance;
  raw: Float32Array;
  rawFrames: number;
  duration: number;
}

/**
 * Decode + resample + MFCC of every utterance in `ctx.threads` worker threads; `onRow` sees the
 * results in input order (so stores are written in a stable order). Bad audio follows `policy`.
 */
export async function extractRaw(
  ctx: Pick<StageContext, 'threads' | 'signal' | 'log' | 'progress'>,
  utterances: readonly InputUtterance[],
  mfcc: MfccOptions,
  policy: OnBadAudio,
  label: string,
  onRow: (row: RawExtraction) => Promise<void>,
): Promise<{ skipped: SkippedFile[]; audioSec: number }> {
  const threads = Math.max(1, ctx.threads);
  const pool = extractionPool(threads, ctx.signal);
  const skipped: SkippedFile[] = [];
  const report = etaLogger(ctx.log, label, utterances.length);
  ctx.progress.total(utterances.length, 'decode + MFCC');
  let audioSec = 0;
  try {
    // Bounded window of in-flight utterances.
    const window = threads * 4;
    const pending = new Map<number, Promise<ExtractResult>>();
    let next = 0;
    for (let i = 0; i < utterances.length; i++) {
      while (next < utterances.length && next < i + window) {
        const task = {
          path: utterances[next]!.path,
          mfcc,
          normalise: false,
          minFrames: 0,
          pad: 'zero' as const,
        };
        // A crashed worker or an abort becomes a failure without a bad-audio reason: it fails the stage.
        pending.set(
          next,
          pool.extract(task).catch((e: { code?: ErrorCode; message?: string }) => ({
            ok: false,
            code: e.code ?? ErrorCodes.STAGE_FAILED,
            message: e.message ?? String(e),
          })),
        );
        next++;
      }
      const u = utterances[i]!;
      const result = await pending.get(i)!;
      pending.delete(i);
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (result.ok) {
        audioSec += result.duration;
        await onRow({
          utterance: u,
          raw: result.data,
          rawFrames: result.rawFrames,
          duration: result.duration,
        });
      } else {
        skipped.push(badAudio(result, u, policy, ctx.log));
      }
      ctx.progress.tick();
      report(i + 1);
    }
  } finally {
    await pool.close();
  }
  return { skipped, audioSec };
}
