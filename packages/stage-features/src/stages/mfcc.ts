import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineStage, type Json, type StageContext } from '@serx/core';
import type { SplitUtterance, Utterance } from '../corpora/types.ts';
import { readUtterances } from '../corpora/utterances-file.ts';
import {
  type MfccOptions,
  type MfccPresetName,
  mfccPresets,
  type PadMode,
  resolveMfccOptions,
} from '../mfcc/index.ts';
import { FeatureStoreWriter } from '../store/writer.ts';
import { type ExtractResult, extractionPool } from '../workers/index.ts';
import { badAudio, type OnBadAudio, onBadAudioSchema, type SkippedFile } from './bad-audio-policy.ts';
import { etaLogger } from './eta.ts';
import { singleInput } from './input-artifact.ts';

export interface MfccParams {
  preset?: MfccPresetName;
  options?: Partial<
    Pick<
      MfccOptions,
      | 'numCeps'
      | 'winLength'
      | 'hopLength'
      | 'nfft'
      | 'numFilters'
      | 'lowFreq'
      | 'highFreq'
      | 'preEmphasis'
      | 'lifter'
      | 'sampleRate'
      | 'window'
    >
  >;
  normalise?: boolean;
  minFrames?: number;
  pad?: PadMode;
  onBadAudio?: OnBadAudio;
}

const int = { type: 'integer', minimum: 1 } as const;

/**
 * `features:mfcc`: decode + resample + MFCC + per-utterance normalisation + padding for every
 * utterance, in `ctx.threads` worker threads, written in input order to a feature store.
 */
export const mfcc = defineStage<MfccParams>({
  name: 'features:mfcc',
  version: '1',
  description:
    'MFCCs (paper: 40 coefficients, 25 ms / 10 ms, per-utterance normalisation, ≥100 frames) into a feature store',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      preset: { enum: Object.keys(mfccPresets), default: 'python_speech_features' },
      options: {
        type: 'object',
        additionalProperties: false,
        description: 'Overrides of the preset',
        properties: {
          numCeps: int,
          winLength: int,
          hopLength: int,
          nfft: int,
          numFilters: int,
          sampleRate: int,
          lowFreq: { type: 'number', minimum: 0 },
          highFreq: { type: ['number', 'null'] },
          preEmphasis: { type: 'number', minimum: 0, maximum: 1 },
          lifter: { type: 'number', minimum: 0 },
          window: { enum: ['hamming', 'hann', 'povey', 'rectangular'] },
        },
      },
      normalise: {
        type: 'boolean',
        default: true,
        description: 'Zero mean, unit variance per coefficient per utterance',
      },
      minFrames: {
        type: 'integer',
        minimum: 0,
        default: 100,
        description: 'Pad shorter utterances at the end to this many frames',
      },
      pad: {
        enum: ['zero', 'repeat', 'edge'],
        default: 'zero',
        description: 'Padding fill (zero = the utterance mean after normalisation)',
      },
      onBadAudio: onBadAudioSchema,
    },
  },
  inputs: { utterances: { type: 'utterances' } },
  outputs: { features: { type: 'features', description: 'feature store (docs/stages.md)' } },
  resources: { class: 'cpu-heavy' },
  run: runMfcc,
});

async function runMfcc(ctx: StageContext<MfccParams>) {
  const { params } = ctx;
  ctx.signal.throwIfAborted();
  const input = singleInput(ctx, 'utterances');
  const { meta: inputMeta, utterances } = await readUtterances<Utterance & Partial<SplitUtterance>>(
    input.path,
  );
  const options = resolveMfccOptions({
    preset: params.preset ?? 'python_speech_features',
    ...params.options,
  });
  const task = {
    mfcc: options,
    normalise: params.normalise ?? true,
    minFrames: params.minFrames ?? 100,
    pad: params.pad ?? ('zero' as const),
  };
  const policy = params.onBadAudio ?? 'fail';
  const dir = ctx.outputs.features!;
  const writer = await FeatureStoreWriter.create(dir, {
    dims: options.numCeps,
    sampleRate: options.sampleRate,
    meta: {
      corpus: inputMeta.corpus,
      preset: params.preset ?? 'python_speech_features',
      mfcc: options,
      normalise: task.normalise,
      minFrames: task.minFrames,
      pad: task.pad,
    },
  });
  const threads = Math.max(1, ctx.threads);
  const pool = extractionPool(threads, ctx.signal);
  const skipped: SkippedFile[] = [];
  const report = etaLogger(ctx.log, `${inputMeta.corpus}: MFCC`, utterances.length);
  ctx.progress.total(utterances.length, 'decode + MFCC');
  const started = Date.now();
  let audioSec = 0;
  try {
    // Bounded window of in-flight utterances; results are written in input order (stable hash).
    const window = threads * 4;
    const pending = new Map<number, Promise<ExtractResult>>();
    let next = 0;
    for (let i = 0; i < utterances.length; i++) {
      while (next < utterances.length && next < i + window) {
        const extraction = pool.extract({ path: utterances[next]!.path, ...task });
        // A crashed worker or an abort becomes a failure without a bad-audio reason: it fails the stage.
        pending.set(
          next,
          extraction.catch((e: { code?: string; message?: string }) => ({
            ok: false,
            code: e.code ?? 'STAGE_FAILED',
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
        await writer.append(
          {
            id: u.id,
            corpus: u.corpus,
            speaker: u.speaker,
            ...(u.gender ? { gender: u.gender } : {}),
            label: u.label,
            class: u.class ?? null,
            split: u.split ?? null,
            rawFrames: result.rawFrames,
            duration: Math.round(result.duration * 1e4) / 1e4,
          },
          result.data,
        );
      } else {
        skipped.push(badAudio(result, u, policy, ctx.log));
      }
      ctx.progress.tick();
      report(i + 1);
    }
  } finally {
    await pool.close();
  }
  const storeMeta = await writer.close();
  await writeFile(join(dir, 'skipped.jsonl'), skipped.map((s) => `${JSON.stringify(s)}\n`).join(''));
  const seconds = (Date.now() - started) / 1000;
  ctx.metrics.metric('utterances', storeMeta.count);
  ctx.metrics.metric('skipped', skipped.length);
  ctx.metrics.metric('realtime_factor', audioSec / Math.max(seconds, 1e-3));
  const meta: { [key: string]: Json } = {
    corpus: inputMeta.corpus,
    count: storeMeta.count,
    frames: storeMeta.frames,
    dims: storeMeta.dims,
    skipped: skipped.length,
    skippedFiles: skipped.slice(0, 100).map((s) => `${s.path} (${s.reason})`),
    audioSec: Math.round(audioSec * 1000) / 1000,
  };
  return { meta: { features: meta } };
}
