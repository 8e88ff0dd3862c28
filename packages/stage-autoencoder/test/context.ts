import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Artifact, InputSpecs, Json, StageContext, StageDefinition, StageInputs } from '@serx/core';
import { Ajv } from 'ajv';

export interface Recorded {
  metrics: { name: string; value: number; step?: number }[];
  progress: { total: number; label?: string }[];
  ticks: number;
  logs: string[];
  artifacts: string[];
}

/** A StageContext as the runner builds it: params validated with defaults, fresh output dirs. */
export function testContext<P, I extends InputSpecs>(
  stage: StageDefinition<P, I>,
  o: {
    params: { [key: string]: Json };
    inputs: StageInputs<I>;
    seed?: number;
    workDir?: string;
    heldOut?: string[];
    signal?: AbortSignal;
    onLog?: (message: string) => void;
    /** After every progress tick, with the ticks so far (e.g. to abort at a chosen batch). */
    onTick?: (ticks: number) => void;
  },
): { ctx: StageContext<P, I>; recorded: Recorded } {
  const params = structuredClone(o.params);
  const validate = new Ajv({ useDefaults: true, strict: false }).compile(stage.params);
  if (!validate(params)) throw new Error(`bad test params: ${JSON.stringify(validate.errors)}`);
  const root = mkdtempSync(join(tmpdir(), 'serx-ae-stage-'));
  const outputs = Object.fromEntries(
    Object.keys(stage.outputs).map((name) => {
      const dir = join(root, 'out', name);
      mkdirSync(dir, { recursive: true });
      return [name, dir];
    }),
  );
  const recorded: Recorded = { metrics: [], progress: [], ticks: 0, logs: [], artifacts: [] };
  const ctx: StageContext<P, I> = {
    id: 'ae',
    params: params as P,
    inputs: o.inputs,
    outputs,
    workDir: o.workDir ?? join(root, 'work'),
    log: {
      debug: () => {},
      info: (m) => {
        recorded.logs.push(m);
        o.onLog?.(m);
      },
      warn: (m) => {
        recorded.logs.push(m);
        o.onLog?.(m);
      },
    },
    progress: {
      total: (total, label) => void recorded.progress.push({ total, ...(label ? { label } : {}) }),
      tick: (units = 1) => {
        recorded.ticks += units;
        o.onTick?.(recorded.ticks);
      },
    },
    metrics: {
      metric: (name, value, step) =>
        void recorded.metrics.push({ name, value, ...(step === undefined ? {} : { step }) }),
      tag: () => {},
      artifact: (path) => void recorded.artifacts.push(path),
    },
    seed: o.seed ?? 1,
    signal: o.signal ?? new AbortController().signal,
    threads: 1,
    heldOut: o.heldOut ?? [],
  };
  mkdirSync(ctx.workDir, { recursive: true });
  return { ctx, recorded };
}

/** A `features` artifact for a store directory. */
export function featuresArtifact(path: string, corpus = 'synthetic'): Artifact {
  return { path, type: 'features', hash: `hash-of-${corpus}`, producer: 'mfcc', meta: {}, corpora: [corpus] };
}
