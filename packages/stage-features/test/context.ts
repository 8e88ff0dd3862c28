import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Artifact,
  addPathFormats,
  type InputSpecs,
  type Json,
  type StageContext,
  type StageDefinition,
  type StageInputs,
} from '@serx/core';
import { Ajv } from 'ajv';

export interface TestRun<P, I extends InputSpecs = InputSpecs> {
  ctx: StageContext<P, I>;
  logs: { level: string; message: string }[];
  metrics: Record<string, number>;
  artifacts: string[];
  ticks: { total: number; done: number; labels: string[] };
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, allowUnionTypes: true });
addPathFormats(ajv);

/** Validates `params` with the stage's schema the way the core does (defaults applied); throws on errors. */
export function validParams<P, I extends InputSpecs>(
  definition: StageDefinition<P, I>,
  params: Record<string, unknown>,
): P {
  const copy = structuredClone(params);
  const validate = ajv.compile(definition.params);
  if (!validate(copy)) throw new Error(`params invalid: ${ajv.errorsText(validate.errors)}`);
  return copy as P;
}

/** A real StageContext over temp directories that records logs, metrics and progress. */
export async function testContext<P, I extends InputSpecs>(
  definition: StageDefinition<P, I>,
  params: Record<string, unknown>,
  inputs: Record<string, Artifact | readonly Artifact[]> = {},
  options: { threads?: number; seed?: number; signal?: AbortSignal } = {},
): Promise<TestRun<P, I>> {
  const root = await mkdtemp(join(tmpdir(), `serx-${definition.name.replace(':', '-')}-`));
  const outputs: Record<string, string> = {};
  for (const name of Object.keys(definition.outputs)) {
    outputs[name] = join(root, 'out', name);
    await mkdir(outputs[name]!, { recursive: true });
  }
  const run: Omit<TestRun<P, I>, 'ctx'> = {
    logs: [],
    metrics: {},
    artifacts: [],
    ticks: { total: 0, done: 0, labels: [] },
  };
  const ctx: StageContext<P, I> = {
    id: definition.name.split(':')[1]!,
    params: validParams(definition, params),
    // The caller wires what the stage declares (checked by the stage at run time, as in the runner).
    inputs: inputs as StageInputs<I>,
    outputs,
    workDir: join(root, 'work'),
    log: {
      debug: (message) => run.logs.push({ level: 'debug', message }),
      info: (message) => run.logs.push({ level: 'info', message }),
      warn: (message) => run.logs.push({ level: 'warn', message }),
    },
    progress: {
      total: (units, label) => {
        run.ticks.total = units;
        run.ticks.done = 0;
        if (label) run.ticks.labels.push(label);
      },
      tick: (units = 1) => {
        run.ticks.done += units;
      },
    },
    metrics: {
      metric: (name, value) => {
        run.metrics[name] = value;
      },
      tag: () => {},
      artifact: (path) => run.artifacts.push(path),
    },
    seed: options.seed ?? 0,
    signal: options.signal ?? new AbortController().signal,
    threads: options.threads ?? 2,
    heldOut: [],
  };
  return { ctx, ...run };
}

/** The output directory of a finished test run, as a downstream stage's input artifact. */
export function asArtifact(
  path: string,
  type: string,
  corpora: string[],
  meta: { [key: string]: Json } = {},
): Artifact {
  return { path, type, hash: 'test', producer: 'test', meta, corpora };
}
