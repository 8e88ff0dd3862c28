import { type ErrorCode, ErrorCodes, isSerxError } from '@serx/core';
import { decodeAudioFile, isBadAudioError } from '../audio/index.ts';
import { computeMfcc, type MfccOptions, normaliseUtterance, type PadMode, padFrames } from '../mfcc/index.ts';

/** Decode (+ resample) only: validates the file and measures it (ingest's probe). */
export interface ProbeTask {
  kind: 'probe';
  path: string;
}

/** Decode + resample + MFCC (+ per-utterance normalisation and padding). */
export interface ExtractTask {
  kind: 'extract';
  path: string;
  mfcc: MfccOptions;
  normalise: boolean;
  minFrames: number;
  pad: PadMode;
}

export type TaskFailure = { ok: false; code: ErrorCode; message: string; reason?: string };
export type ProbeResult = { ok: true; duration: number; sourceRate: number; channels: number } | TaskFailure;
export type ExtractResult =
  | {
      ok: true;
      data: Float32Array;
      frames: number;
      dims: number;
      rawFrames: number;
      duration: number;
      sourceRate: number;
    }
  | TaskFailure;

/** Runs one task in the current thread (workers call this; tests may too). Never throws. */
export async function runTask(task: ProbeTask): Promise<ProbeResult>;
export async function runTask(task: ExtractTask): Promise<ExtractResult>;
export async function runTask(task: ProbeTask | ExtractTask): Promise<ProbeResult | ExtractResult> {
  try {
    if (task.kind === 'probe') {
      const audio = await decodeAudioFile(task.path, { targetRate: null });
      return {
        ok: true,
        duration: audio.durationSec,
        sourceRate: audio.sourceRate,
        channels: audio.channels,
      };
    }
    const audio = await decodeAudioFile(task.path, { targetRate: task.mfcc.sampleRate });
    // Shorter than one analysis window, the frame would be mostly padding and, after per-utterance
    // normalisation and padding to minFrames, a block of zeros labelled with the utterance's class.
    const window = task.mfcc.winLength;
    if (audio.samples.length < window) {
      const ms = (n: number) => `${Math.round((n / task.mfcc.sampleRate) * 10000) / 10} ms`;
      return {
        ok: false,
        code: ErrorCodes.INPUT_DATA,
        reason: 'too-short',
        message: `${task.path}: too-short audio: ${audio.samples.length} sample(s) (${ms(audio.samples.length)}) is shorter than one MFCC analysis window (${window} samples, ${ms(window)})`,
      };
    }
    const raw = computeMfcc(audio.samples, task.mfcc);
    if (raw.frames === 0)
      return {
        ok: false,
        code: ErrorCodes.INPUT_DATA,
        reason: 'empty',
        message: `${task.path}: too short for one MFCC frame`,
      };
    const shaped = padFrames(task.normalise ? normaliseUtterance(raw) : raw, task.minFrames, task.pad);
    return {
      ok: true,
      data: shaped.data,
      frames: shaped.frames,
      dims: shaped.dims,
      rawFrames: raw.frames,
      duration: audio.durationSec,
      sourceRate: audio.sourceRate,
    };
  } catch (error) {
    const e = error as { message?: string };
    return {
      ok: false,
      // a Node errno (ENOENT...) is not a serx code: a file that cannot be read is bad input data
      code: isSerxError(error) ? error.code : ErrorCodes.INPUT_DATA,
      message: e.message ?? String(error),
      ...(isBadAudioError(error) ? { reason: error.reason } : {}),
    };
  }
}
