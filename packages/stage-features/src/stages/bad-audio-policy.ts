import { type Logger, SerxError } from '@serx/core/stage';
import type { TaskFailure } from '../workers/index.ts';

export type OnBadAudio = 'fail' | 'skip';

/** A file a stage left out under `onBadAudio: skip` (listed in `skipped.jsonl` and the stage meta). */
export interface SkippedFile {
  id: string;
  path: string;
  reason: string;
  message: string;
}

export const onBadAudioSchema = {
  enum: ['fail', 'skip'],
  default: 'fail',
  description:
    'A corrupt, truncated, empty or silent file, or one shorter than an analysis window, fails the stage, or is skipped and listed',
} as const;

/**
 * Applies the policy to a failed decode. Bad audio is skipped under `skip`; anything else (a
 * missing tool, an internal error) always fails, since skipping would silently drop whole formats.
 */
export function badAudio(
  failure: TaskFailure,
  item: { id: string; path: string },
  policy: OnBadAudio,
  log: Logger,
): SkippedFile {
  if (policy === 'fail' || failure.reason === undefined) {
    throw new SerxError(
      failure.code,
      failure.message.includes(item.path) ? failure.message : `${item.path}: ${failure.message}`,
    );
  }
  log.warn(`skipping ${failure.message}`);
  return { id: item.id, path: item.path, reason: failure.reason, message: failure.message };
}
