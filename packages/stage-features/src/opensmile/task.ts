import { ErrorCodes, isSerxError } from '@serx/core';
import { decodeAudioFile, isBadAudioError } from '../audio/index.ts';
import type { TaskFailure } from '../workers/extract.ts';
import { opensmileAddon, toPcm16 } from './addon.ts';
import type { OpensmileRun } from './feature-sets.ts';

/** Decode + resample one file and run openSMILE on it (in a worker thread of the pool). */
export interface OpensmileTask {
  path: string;
  sampleRate: number;
  addon: string;
  library: string;
  run: OpensmileRun;
}

export type OpensmileResult =
  | { ok: true; data: Float32Array; frames: number; dims: number; duration: number; sourceRate: number }
  | TaskFailure;

/** Runs one task in the current thread. Never throws: a failure is a value the stage applies its policy to. */
export async function runOpensmileTask(task: OpensmileTask): Promise<OpensmileResult> {
  try {
    const audio = await decodeAudioFile(task.path, { targetRate: task.sampleRate });
    const addon = opensmileAddon(task.addon, task.library);
    const { data, frames, dims } = addon.extract(task.run.config, task.run.options, toPcm16(audio.samples));
    if (frames === 0) {
      const ms = Math.round((audio.samples.length / task.sampleRate) * 10000) / 10;
      return {
        ok: false,
        code: ErrorCodes.INPUT_DATA,
        reason: 'too-short',
        message: `${task.path}: too-short audio: openSMILE computed no frame from ${audio.samples.length} sample(s) (${ms} ms)`,
      };
    }
    const bad = data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      return {
        ok: false,
        code: ErrorCodes.INPUT_DATA,
        reason: 'non-finite',
        message: `${task.path}: openSMILE returned ${data[bad]} at frame ${Math.floor(bad / dims)}, value ${bad % dims}`,
      };
    return { ok: true, data, frames, dims, duration: audio.durationSec, sourceRate: audio.sourceRate };
  } catch (error) {
    const e = error as { message?: string; code?: string };
    const fromAddon = typeof e.code === 'string' && e.code.startsWith('OPENSMILE_');
    return {
      ok: false,
      // the addon's own failures (library, config) are the environment's; a file that cannot be read is bad data
      code: isSerxError(error) ? error.code : fromAddon ? ErrorCodes.ENVIRONMENT : ErrorCodes.INPUT_DATA,
      message: `${task.path}: ${e.message ?? String(error)}`,
      ...(isBadAudioError(error) ? { reason: error.reason } : {}),
    };
  }
}
