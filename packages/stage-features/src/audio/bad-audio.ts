import { ErrorCodes, SerxError } from '@serx/core';

/** Why an audio file could not be used; the ingest stage's `onBadAudio` policy keys on it. */
export type BadAudioReason = 'corrupt' | 'truncated' | 'empty' | 'silent' | 'unsupported';

/**
 * An audio file that cannot be decoded into usable speech. Code `INPUT_DATA`; `path` and `reason`
 * let callers skip the file (`onBadAudio: skip`) and list it in their output.
 */
export class BadAudioError extends SerxError {
  readonly path: string;
  readonly reason: BadAudioReason;

  constructor(path: string, reason: BadAudioReason, detail: string, cause?: unknown) {
    super(ErrorCodes.INPUT_DATA, `${path}: ${reason} audio: ${detail}`, { cause });
    this.path = path;
    this.reason = reason;
  }
}

export function isBadAudioError(value: unknown): value is BadAudioError {
  return value instanceof BadAudioError;
}

/** The environment lacks a decoder tool (ffmpeg) that this file needs. Code `ENVIRONMENT`. */
export function missingTool(path: string, tool: string, what: string): SerxError {
  return new SerxError(
    ErrorCodes.ENVIRONMENT,
    `${path}: ${what} needs \`${tool}\`, which is not on PATH; install it (e.g. \`apt-get install ${tool}\`) or convert the file to WAV/FLAC`,
  );
}
