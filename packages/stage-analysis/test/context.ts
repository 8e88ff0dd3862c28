/** A real StageContext for calling a stage directly in tests (temp output dirs, recorded metrics). */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Artifact, Json, StageContext, StageDefinition } from '@serx/core';

export interface Recorded {
  metrics: { name: string; value: number; step?: number }[];
  artifacts: string[];
  logs: string[];
  tags: { [name: string]: string };
}

export async function tempDir(prefix = 'serx-analysis-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export function artifact(
  path: string,
  type: string,
  producer: string,
  meta: { [k: string]: Json } = {},
  corpora: string[] = [],
): Artifact {
  return { path, type, hash: `hash-of-${producer}`, producer, meta, corpora };
}

export async function runStage<P>(
  stage: StageDefinition<P>,
  options: { id?: string; params: P; inputs: StageContext['inputs']; heldOut?: string[]; seed?: number },
): Promise<{
  outputs: { [name: string]: string };
  result: Awaited<ReturnType<StageDefinition<P>['run']>>;
  recorded: Recorded;
}> {
  const root = await tempDir();
  const outputs: { [name: string]: string } = {};
  for (const name of Object.keys(stage.outputs)) {
    outputs[name] = join(root, name);
    await mkdir(outputs[name]!);
  }
  const recorded: Recorded = { metrics: [], artifacts: [], logs: [], tags: {} };
  const ctx: StageContext<P> = {
    id: options.id ?? 'test_stage',
    params: options.params,
    inputs: options.inputs,
    outputs,
    workDir: join(root, 'work'),
    log: {
      debug: (m) => recorded.logs.push(m),
      info: (m) => recorded.logs.push(m),
      warn: (m) => recorded.logs.push(`warn: ${m}`),
    },
    progress: { total: () => {}, tick: () => {} },
    metrics: {
      metric: (name, value, step) =>
        recorded.metrics.push({ name, value, ...(step === undefined ? {} : { step }) }),
      tag: (name, value) => {
        recorded.tags[name] = value;
      },
      artifact: (p) => recorded.artifacts.push(p),
    },
    seed: options.seed ?? 0,
    signal: new AbortController().signal,
    threads: 1,
    heldOut: options.heldOut ?? [],
  };
  const result = await stage.run(ctx);
  return { outputs, result, recorded };
}
