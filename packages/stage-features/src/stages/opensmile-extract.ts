import type { ErrorCode, StageContext } from '@serx/core';
import { ErrorCodes } from '@serx/core';
import type { OpensmileRun } from '../opensmile/feature-sets.ts';
import type { OpensmileInstallation } from '../opensmile/installation.ts';
import { opensmilePool } from '../opensmile/pool.ts';
import type { OpensmileResult } from '../opensmile/task.ts';
import { badAudio, type OnBadAudio, type SkippedFile } from './bad-audio-policy.ts';
import { etaLogger } from './eta.ts';
import type { InputUtterance, RawExtraction } from './mfcc-extract.ts';

/**
 * Decode + resample + openSMILE for every utterance in `ctx.threads` worker threads (as MFCCs
 * are: a bounded window of files in flight); `onRow` sees the results in input order. Bad audio
 * follows `policy`.
 */
export async function extractOpensmile(
  ctx: Pick<StageContext, 'threads' | 'signal' | 'log' | 'progress'>,
  utterances: readonly InputUtterance[],
  job: { installation: OpensmileInstallation; run: OpensmileRun; sampleRate: number },
  policy: OnBadAudio,
  label: string,
  onRow: (row: RawExtraction) => Promise<void>,
): Promise<{ skipped: SkippedFile[]; audioSec: number }> {
  const threads = Math.max(1, ctx.threads);
  const pool = opensmilePool(threads, ctx.signal);
  const skipped: SkippedFile[] = [];
  const report = etaLogger(ctx.log, label, utterances.length);
  ctx.progress.total(utterances.length, 'decode + openSMILE');
  let audioSec = 0;
  try {
    const window = threads * 4;
    const pending = new Map<number, Promise<OpensmileResult>>();
    let next = 0;
    for (let i = 0; i < utterances.length; i++) {
      while (next < utterances.length && next < i + window) {
        const task = {
          path: utterances[next]!.path,
          sampleRate: job.sampleRate,
          addon: job.installation.addon,
          library: job.installation.library,
          run: job.run,
        };
        // A crashed worker or an abort becomes a failure without a bad-audio reason: it fails the stage.
        pending.set(
          next,
          pool.run(task).catch((e: { code?: ErrorCode; message?: string }) => ({
            ok: false as const,
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
        await onRow({ utterance: u, raw: result.data, rawFrames: result.frames, duration: result.duration });
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
